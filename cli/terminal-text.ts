/**
 * A bodyText (the relay's Spaces HTML) as a terminal shows it: paragraphs and line breaks as lines, list entries as
 * bullets, links as their words followed by the address. It reads the HTML rather than the message, so what a
 * terminal shows is what the space would show, whatever the renderer writes; a tag it does not know is dropped and
 * its text kept.
 */

const NAMED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** `&lt;` → `<`, `&#39;` → `'`; an unknown entity stays as written. */
function decodeEntities(html: string): string {
  return html.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name.startsWith('#')) {
      const code = name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
      return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED[name.toLowerCase()] ?? whole;
  });
}

/** The lines of one bodyText, without empty ones; the lines of a list entry indented under its bullet. */
export function terminalLines(bodyText: string): string[] {
  const text = bodyText
    // Held between control characters while the tags are stripped, then shown as <address>.
    .replace(/<a\s[^>]*href="([^"]*)"[^>]*>(.*?)<\/a>/gis, (_whole, href: string, label: string) => `${label} \u0001${href}\u0002`)
    .replace(/<li[^>]*>(.*?)<\/li>/gis, (_whole, entry: string) => `\n  • ${entry.replace(/<br\s*\/?>/gi, '\n    ')}\n`)
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|ul|ol|div|h\d|tr|table|pre|blockquote)>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/\u0001([^\u0002]*)\u0002/g, '<$1>');
  return decodeEntities(text)
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== '');
}

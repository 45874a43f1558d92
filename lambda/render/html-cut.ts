/**
 * Cutting HTML the relay wrote itself (markup blocks: balanced tags, every payload character escaped) to a size,
 * without breaking it: the cut falls between tags, entities and graphemes, the tags still open are closed, and `…`
 * marks it. Not a parser for HTML from elsewhere: it trusts that every `<` starts a tag and every `&` an entity.
 */

/** A string's UTF-8 size in bytes. */
export const utf8 = (s: string): number => Buffer.byteLength(s, 'utf8');

/** The size a bodyText has on the wire: its UTF-8 JSON string, quotes and escapes included. */
export function wireSize(html: string): number {
  return utf8(JSON.stringify(html));
}

/** Tags that have no closing tag. */
const VOID = new Set(['br', 'hr', 'img']);
/** A tag, an entity, or a run of text. */
const TOKEN = /<(\/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*>|&#?[a-zA-Z0-9]+;|[^<&]+|[<&]/g;
const ELLIPSIS = '…';
/** Splits text into graphemes (what a reader takes for one character): a cut never falls inside one. */
export const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** A piece's size inside a JSON string: its UTF-8 bytes with the escapes JSON adds, without the quotes. */
const pieceSize = (piece: string): number => wireSize(piece) - 2;

/**
 * `html` if it takes at most `maxBytes` on the wire (see {@link wireSize}); else its longest start that does, with
 * `…` and the closing tags of the elements left open (`''` when not even `…` fits). Linear in the length of `html`.
 */
export function cutHtml(html: string, maxBytes: number): string {
  if (wireSize(html) <= maxBytes) return html;
  if (wireSize(ELLIPSIS) > maxBytes) return '';
  const open: string[] = [];
  let closing = 0;
  let out = '';
  let used = 2 + pieceSize(ELLIPSIS);
  const fits = (size: number, extraClosing = 0): boolean => used + size + closing + extraClosing <= maxBytes;
  const finish = (): string => out + ELLIPSIS + open.map((name) => `</${name}>`).reverse().join('');
  for (const [token, slash, name] of html.matchAll(TOKEN)) {
    const size = pieceSize(token);
    if (name !== undefined) {
      const tag = name.toLowerCase();
      if (slash) {
        // A closing tag's size was already counted in `closing` when its element opened.
        if (open[open.length - 1] !== tag) continue;
        open.pop();
        closing -= size;
        used += size;
        out += token;
        continue;
      }
      const closer = VOID.has(tag) ? 0 : pieceSize(`</${tag}>`);
      if (!fits(size, closer)) return finish();
      out += token;
      used += size;
      if (closer > 0) {
        open.push(tag);
        closing += closer;
      }
      continue;
    }
    if (fits(size)) {
      out += token;
      used += size;
      continue;
    }
    if (token.startsWith('&')) return finish();
    for (const { segment } of segmenter.segment(token)) {
      const piece = pieceSize(segment);
      if (!fits(piece)) return finish();
      out += segment;
      used += piece;
    }
  }
  return finish();
}

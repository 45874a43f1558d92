/**
 * Slack mrkdwn → Spaces HTML, written by the relay: nothing of the input passes through as markup. Every character
 * of the text is escaped; only the tags below are written, always balanced; links keep only http(s) targets.
 *
 * What Slack formats: `*bold*`, `_italic_`, `~strike~`, `` `code` ``, ```` ``` ```` code blocks, `>` quotes (`>>>`:
 * the rest of the text), `<url|label>` links, `<@U…>`, `<#C…|name>`, `<!here>` and their kin (shown as the words
 * they stand for, never as Spaces mentions), `:emoji:` shortcodes, and `&amp;`, `&lt;`, `&gt;`, the only entities
 * Slack's senders escape. Lines that start with `•`, `-`, `*` or `1.` become lists (Slack shows them as typed).
 *
 * Linear in the length of the text, whatever it holds: each marker finds its closers with a cursor that only moves
 * forward, and spans nest at most three deep (one per marker), so no input makes it search again and again.
 */
import { anchor, attr } from './body-text';
import { withEmoji } from './emoji';

/** Emphasis markers and the tags they become. */
const MARKERS = { '*': 'b', _: 'i', '~': 's' } as const;
type Marker = keyof typeof MARKERS;
const ALL_MARKERS: readonly Marker[] = ['*', '_', '~'];

/** A block larger than this is split at a line boundary into several, so that a long text splits between parts. */
const MAX_BLOCK_CHARS = 4_000;

const ENTITY: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>' };

/** Text as Slack's senders write it (`&amp;`, `&lt;`, `&gt;` escaped) as the characters it stands for. */
const decoded = (raw: string): string => raw.replace(/&(amp|lt|gt);/g, (_, name: string) => ENTITY[name]!);

/** What text may hold that HTML text may not, or that means nothing in a chat (control characters, which JSON grows sixfold). */
const NEEDS_ESCAPING = /[&<>"'\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** Text as Slack's senders write it as HTML text: decoded, then escaped again. Tabs and line breaks stay. */
function escaped(raw: string): string {
  // Most runs of text are plain words: nothing to decode, nothing to escape.
  if (!NEEDS_ESCAPING.test(raw)) return raw;
  return attr(decoded(raw).replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, ''));
}

/** Plain text of a message: escaped, with its emoji shortcodes as characters. */
const plain = (raw: string): string => escaped(withEmoji(raw));

/** Whether `c` is white space, or the edge of the line. ASCII is decided without a regular expression: most text is. */
function isSpace(c: string | undefined): boolean {
  if (c === undefined) return true;
  const code = c.charCodeAt(0);
  return code < 128 ? code === 32 || (code >= 9 && code <= 13) : /\s/.test(c);
}

/** Whether `c` is a letter or a digit, in any script. */
function isWordChar(c: string | undefined): boolean {
  if (c === undefined) return false;
  const code = c.charCodeAt(0) | 0x20;
  if (code < 128) return (code >= 97 && code <= 122) || (c >= '0' && c <= '9');
  return /[\p{L}\p{N}]/u.test(c);
}

/**
 * What a `<…>` stands for. Mentions and Slack's special commands become the words they show (`@here`, `@deploy-bot`,
 * `#ops`); a link becomes one if its target is http(s), else its label as text.
 */
function angled(inner: string): string {
  const bar = inner.indexOf('|');
  const target = bar < 0 ? inner : inner.slice(0, bar);
  const label = bar < 0 ? undefined : inner.slice(bar + 1);
  switch (target[0]) {
    case '@':
      return plain(`@${label ?? target.slice(1)}`);
    case '#':
      return plain(`#${label ?? target.slice(1)}`);
    case '!': {
      const command = target.slice(1).split('^', 1)[0]!;
      if (['here', 'channel', 'everyone'].includes(command)) return plain(`@${command}`);
      return plain(label ?? (command === 'subteam' ? '@group' : command));
    }
  }
  const text = plain(label ?? target);
  return anchor(text, target.replace(/&amp;/g, '&')) ?? text;
}

/** A span the emphasis markers do not look into: inline code or a `<…>`. */
interface Atom {
  readonly start: number;
  readonly end: number;
  readonly html: string;
}

/** The inline code spans and `<…>` of a line, in order: each found with one forward search. */
function atomsOf(line: string): Atom[] {
  const atoms: Atom[] = [];
  let backticks = true;
  let angles = true;
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i];
    if (c === '`' && backticks) {
      const end = line.indexOf('`', i + 1);
      if (end < 0) backticks = false;
      else if (end > i + 1) {
        atoms.push({ start: i, end: end + 1, html: `<code>${escaped(line.slice(i + 1, end))}</code>` });
        i = end;
      }
    } else if (c === '<' && angles) {
      const end = line.indexOf('>', i + 1);
      if (end < 0) angles = false;
      else {
        atoms.push({ start: i, end: end + 1, html: angled(line.slice(i + 1, end)) });
        i = end;
      }
    }
  }
  return atoms;
}

/**
 * For one marker, the nearest position at or after a given one that can close a span of it: a cursor that only moves
 * forward. Spans are rendered left to right, nested ones included, so the positions asked for never decrease and
 * the whole line is looked at once per marker.
 */
function closerFinder(line: string, marker: Marker, atoms: readonly Atom[]): (from: number) => number {
  let at = 0;
  let atom = 0;
  const closes = (j: number): boolean => {
    while (atom < atoms.length && atoms[atom]!.end <= j) atom += 1;
    const inAtom = atom < atoms.length && atoms[atom]!.start <= j;
    return line[j] === marker && !inAtom && !isSpace(line[j - 1]) && !isWordChar(line[j + 1]);
  };
  return (from) => {
    if (at < 0) return -1;
    if (at < from) at = from;
    // From one occurrence of the marker to the next: the text between cannot close anything.
    while (at >= 0 && (at = line.indexOf(marker, at)) >= 0 && !closes(at)) at += 1;
    return at;
  };
}

/** The characters where a span may start. */
const SPECIAL = /[*_~`<]/g;

/** One line's inline formatting as HTML. */
function inline(line: string): string {
  if (line.length === 0) return '';
  const atomList = atomsOf(line);
  const atoms = new Map(atomList.map((atom) => [atom.start, atom]));
  const closers = new Map(ALL_MARKERS.map((marker) => [marker, closerFinder(line, marker, atomList)]));
  const opens = (i: number): boolean => !isWordChar(line[i - 1]) && !isSpace(line[i + 1]);

  const render = (start: number, end: number, allowed: readonly Marker[]): string => {
    let html = '';
    let run = start;
    const flush = (to: number): void => {
      if (to > run) html += plain(line.slice(run, to));
    };
    for (let i = start; i < end; ) {
      // Straight to the next character that may start something: a marker, inline code or a `<…>`.
      SPECIAL.lastIndex = i;
      const next = SPECIAL.exec(line)?.index ?? end;
      if (next >= end) break;
      i = next;
      const atom = atoms.get(i);
      if (atom) {
        flush(i);
        html += atom.html;
        i = atom.end;
        run = i;
        continue;
      }
      const marker = line[i] as Marker;
      if (allowed.includes(marker) && opens(i) && i + 2 <= end) {
        const close = closers.get(marker)!(i + 2);
        if (close >= 0 && close < end) {
          flush(i);
          const tag = MARKERS[marker];
          html += `<${tag}>${render(i + 1, close, allowed.filter((m) => m !== marker))}</${tag}>`;
          i = close + 1;
          run = i;
          continue;
        }
      }
      i += 1;
    }
    flush(end);
    return html;
  };
  return render(0, line.length, ALL_MARKERS);
}

/** A run of lines of one kind, as blocks of at most `MAX_BLOCK_CHARS` each: split between lines, never inside one. */
function chunked(lines: readonly string[], wrap: (body: string) => string, join: string): string[] {
  const blocks: string[] = [];
  let body: string[] = [];
  let size = 0;
  for (const line of lines) {
    if (body.length > 0 && size + line.length > MAX_BLOCK_CHARS) {
      blocks.push(wrap(body.join(join)));
      body = [];
      size = 0;
    }
    body.push(line);
    size += line.length;
  }
  if (body.length > 0) blocks.push(wrap(body.join(join)));
  return blocks;
}

const QUOTE = /^(?:>|&gt;)\s?/;
const QUOTE_REST = /^(?:>>>|&gt;&gt;&gt;)\s?/;
const BULLET = /^\s*[•◦▪\-*]\s+/;
const NUMBERED = /^\s*\d{1,9}[.)]\s+/;

type LineKind = 'p' | 'quote' | 'ul' | 'ol';

/** The blocks of text outside code blocks: paragraphs, quotes and lists, each line formatted inline. */
function textBlocks(text: string): string[] {
  const blocks: string[] = [];
  let kind: LineKind | undefined;
  let lines: string[] = [];
  const close = (): void => {
    if (kind === 'p') blocks.push(...chunked(lines, (body) => `<p>${body}</p>`, '<br>'));
    if (kind === 'quote') blocks.push(...chunked(lines, (body) => `<blockquote>${body}</blockquote>`, '<br>'));
    if (kind === 'ul' || kind === 'ol') blocks.push(...chunked(lines.map((l) => `<li>${l}</li>`), (body) => `<${kind}>${body}</${kind}>`, ''));
    kind = undefined;
    lines = [];
  };
  const add = (next: LineKind, html: string): void => {
    if (kind !== next) close();
    kind = next;
    lines.push(html);
  };
  const all = text.split('\n');
  for (const [index, line] of all.entries()) {
    if (QUOTE_REST.test(line)) {
      // Slack's `>>>`: everything after it is quoted.
      for (const rest of [line.replace(QUOTE_REST, ''), ...all.slice(index + 1)]) add('quote', inline(rest));
      break;
    }
    if (QUOTE.test(line)) add('quote', inline(line.replace(QUOTE, '')));
    else if (BULLET.test(line)) add('ul', inline(line.replace(BULLET, '')));
    else if (NUMBERED.test(line)) add('ol', inline(line.replace(NUMBERED, '')));
    else if (line.trim() === '') close();
    else add('p', inline(line));
  }
  close();
  return blocks;
}

/**
 * Slack mrkdwn as blocks of HTML, each complete in itself (see `ChatMessage.markup`): code blocks verbatim, the rest
 * as paragraphs, quotes and lists. An unclosed ```` ``` ```` is text.
 */
export function mrkdwnBlocks(text: string): string[] {
  const parts = text.replace(/\r\n?/g, '\n').split('```');
  // An odd number of fences: the last one opens nothing.
  if (parts.length % 2 === 0) parts.splice(parts.length - 2, 2, `${parts[parts.length - 2]}\`\`\`${parts[parts.length - 1]}`);
  return parts.flatMap((part, index) => {
    if (index % 2 === 0) return textBlocks(part);
    const code = part.replace(/^\n|\n$/g, '');
    return code.trim() === '' ? [] : chunked(code.split('\n').map(escaped), (body) => `<pre>${body}</pre>`, '\n');
  });
}

/** Slack mrkdwn in one run of inline HTML (a field's value, a context line): line breaks as `<br>`, no blocks. */
export function mrkdwnInline(text: string): string {
  return text.replace(/\r\n?/g, '\n').split('\n').map(inline).join('<br>');
}

/** Plain text as the words it shows, not HTML (a message's title, which the renderer escapes): decoded, with emoji. */
export function plainText(text: string): string {
  return decoded(withEmoji(text));
}

/** Plain text (a `plain_text` object, a title) as HTML: escaped, its shortcodes as emoji when `emoji` is not false. */
export function plainHtml(text: string, emoji = true): string {
  return emoji ? plain(text) : escaped(text);
}

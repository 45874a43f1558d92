/**
 * The markdown chat webhooks carry (Discord's, and the subset Microsoft Teams cards take) → Spaces HTML blocks, each
 * complete with balanced tags, for a `ChatMessage`'s `markup`. No tag of the payload passes through: every character
 * is escaped, and only this module writes tags, from a small set (p, br, b, i, u, s, code, pre, blockquote, ul, li,
 * a). A marker that is not closed stays as the characters the sender typed.
 *
 * It runs in time linear in its input whatever the input (10,000 `*` in a row, a thousand unclosed `[`): every scan
 * ahead stops at a character that ends it, and the regions scanned ahead never overlap, so each character is looked
 * at a bounded number of times.
 */
import { formatEpochSeconds } from './format';
import { anchor, attr } from './body-text';

/** What the converter could not show, for its caller to count. */
export type DroppedMarkdown = 'unsafe-link';

/** Options of `markdownToHtml`. */
export interface MarkdownOptions {
  /** Called once per construct that cannot be shown and was left out (a link to a `javascript:` URL keeps its label only). */
  readonly onDrop?: (what: DroppedMarkdown) => void;
}

/** An emphasis marker as typed, and the tag it stands for (a spoiler has none: Spaces cannot hide text, so it shows). */
const MARKER_TAGS: Readonly<Record<string, string>> = { '*': 'i', _: 'i', '**': 'b', __: 'u', '~~': 's', '||': '' };

/** How a run of one marker character splits into markers, outermost first; a run not listed here is plain text. */
const RUN_MARKERS: Readonly<Record<string, readonly string[]>> = {
  '*': ['*'],
  '**': ['**'],
  '***': ['**', '*'],
  _: ['_'],
  __: ['__'],
  ___: ['__', '_'],
  '~~': ['~~'],
  '||': ['||'],
};

const MARKER_CHARS = new Set(['*', '_', '~', '|']);
/** Characters that may start a construct; the text between them is plain. */
const SPECIAL = /[\\\n`[<*_~|]/g;
const PUNCTUATION = /[!-/:-@[-`{-~]/;
const SPACE = /\s/;
const WORD = /[\p{L}\p{N}]/u;
/** Control characters mean nothing in a chat (tabs and line breaks aside). */
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

/** Discord's angle-bracket tokens and the text each becomes, tried at a `<`; each pattern is bounded and stops at `>`. */
const ANGLE_TOKENS: readonly { readonly pattern: RegExp; readonly say: (match: RegExpExecArray) => string }[] = [
  { pattern: /<@[!&]?(\d{1,25})>/y, say: (m) => `@${m[1]}` },
  { pattern: /<#(\d{1,25})>/y, say: (m) => `#${m[1]}` },
  { pattern: /<a?:(\w{1,64}):\d{1,25}>/y, say: (m) => `:${m[1]}:` },
  { pattern: /<\/([\w-]{1,32}(?: [\w-]{1,32}){0,2}):\d{1,25}>/y, say: (m) => `/${m[1]}` },
  { pattern: /<t:(-?\d{1,13})(?::[tTdDfFR])?>/y, say: (m) => formatEpochSeconds(Number(m[1])) ?? m[0] },
];
/** `<https://…>`: a link Discord shows without a preview. */
const ANGLE_URL = /<(https?:\/\/[^\s<>]{1,2000})>/y;
/** A line break written as HTML, which Teams cards often carry: the relay writes its own. */
const ANGLE_BREAK = /<br\s{0,4}\/?>/iy;
/** Characters a link target written `](…)` may not hold: the scan for its end stops at the first. */
const URL_END = /[\s[\]<>]/;

/** Text escaped for HTML content. */
const escaped = (value: string): string => attr(value);

/** An emphasis marker waiting for its closer: where its placeholder is in the output, and what it was typed as. */
interface Opener {
  readonly marker: string;
  readonly at: number;
}

/** The end of a run of `char` starting at `from`. */
function runEnd(source: string, from: number, char: string): number {
  let end = from;
  while (source[end] === char) end += 1;
  return end;
}

/**
 * Where each run of backticks starts, by run length, so that a code span finds its closing run (the next run of the
 * same length) with a pointer that only moves forward.
 */
class BacktickRuns {
  private readonly starts = new Map<number, number[]>();
  private readonly next = new Map<number, number>();

  constructor(source: string) {
    for (let i = 0; i < source.length; ) {
      if (source[i] !== '`') {
        i += 1;
        continue;
      }
      const end = runEnd(source, i, '`');
      const list = this.starts.get(end - i) ?? [];
      list.push(i);
      this.starts.set(end - i, list);
      i = end;
    }
  }

  /** The start of the first run of `length` backticks after `position`, if any. */
  closing(length: number, position: number): number | undefined {
    const list = this.starts.get(length) ?? [];
    let index = this.next.get(length) ?? 0;
    while (index < list.length && list[index]! <= position) index += 1;
    this.next.set(length, index);
    return list[index];
  }
}

/** One inline pass over a paragraph's text (or a link's label, with links off: a link never holds a link). */
class InlineWriter {
  private readonly out: string[] = [];
  private readonly open: Opener[] = [];
  private readonly openCount = new Map<string, number>();
  private readonly ticks: BacktickRuns;
  /** Text read since the last tag, escaped when the next tag is written. */
  private plain: string[] = [];

  constructor(
    private readonly source: string,
    private readonly options: MarkdownOptions,
    private readonly links: boolean,
  ) {
    this.ticks = new BacktickRuns(source);
  }

  write(): string {
    const { source } = this;
    let i = 0;
    while (i < source.length) {
      const char = source[i]!;
      if (char === '\\' && PUNCTUATION.test(source[i + 1] ?? '')) {
        this.plain.push(source[i + 1]!);
        i += 2;
      } else if (char === '\n') {
        this.emit('<br>');
        i += 1;
      } else if (char === '`') {
        i = this.codeSpan(i);
      } else if (char === '[' && this.links) {
        i = this.link(i);
      } else if (char === '<') {
        i = this.angle(i);
      } else if (MARKER_CHARS.has(char)) {
        i = this.markerRun(i, char);
      } else {
        // Plain text up to the next character that may start something, in one piece.
        SPECIAL.lastIndex = i + 1;
        const next = SPECIAL.exec(source)?.index ?? source.length;
        this.plain.push(source.slice(i, next));
        i = next;
      }
    }
    this.emit('');
    // Markers never closed are the characters the sender typed: their placeholders already hold them.
    return this.out.join('');
  }

  /** Adds relay-written HTML after the pending plain text. */
  private emit(html: string): void {
    if (this.plain.length > 0) this.out.push(escaped(this.plain.join('')));
    this.plain = [];
    if (html) this.out.push(html);
  }

  private codeSpan(start: number): number {
    const end = runEnd(this.source, start, '`');
    const length = end - start;
    const closing = this.ticks.closing(length, start);
    if (closing === undefined) {
      this.plain.push('`'.repeat(length));
      return end;
    }
    let code = this.source.slice(end, closing).replace(/\n/g, ' ');
    // As CommonMark: one space on each side lets a span start or end with a backtick.
    if (code.length > 2 && code.startsWith(' ') && code.endsWith(' ')) code = code.slice(1, -1);
    this.emit(`<code>${escaped(code)}</code>`);
    return closing + length;
  }

  /** `[label](url)`: the label is scanned up to the first `[` or `]`, the URL up to a space or bracket. */
  private link(start: number): number {
    const { source } = this;
    let close = start + 1;
    while (close < source.length && source[close] !== ']' && source[close] !== '[') close += 1;
    if (source[close] !== ']' || source[close + 1] !== '(') {
      this.plain.push('[');
      return start + 1;
    }
    // As CommonMark, a target may hold balanced parentheses (`…/wiki/Foo_(bar)`).
    let end = close + 2;
    for (let depth = 0; end < source.length && !URL_END.test(source[end]!); end += 1) {
      if (source[end] === '(') depth += 1;
      else if (source[end] === ')' && depth-- === 0) break;
    }
    if (source[end] !== ')') {
      this.plain.push('[');
      return start + 1;
    }
    const url = source.slice(close + 2, end);
    const label = new InlineWriter(source.slice(start + 1, close), this.options, false).write() || escaped(url);
    this.linkTo(url, label);
    return end + 1;
  }

  /** A link if its target is a safe absolute URL; else only its label, and the drop is reported. */
  private linkTo(url: string, label: string): void {
    const linked = anchor(label, url);
    if (linked) {
      this.emit(linked);
    } else {
      this.options.onDrop?.('unsafe-link');
      this.emit(label);
    }
  }

  private angle(start: number): number {
    const { source } = this;
    for (const { pattern, say } of ANGLE_TOKENS) {
      pattern.lastIndex = start;
      const match = pattern.exec(source);
      if (match) {
        this.plain.push(say(match));
        return pattern.lastIndex;
      }
    }
    ANGLE_BREAK.lastIndex = start;
    if (ANGLE_BREAK.test(source)) {
      this.emit('<br>');
      return ANGLE_BREAK.lastIndex;
    }
    ANGLE_URL.lastIndex = start;
    const url = ANGLE_URL.exec(source);
    if (url && this.links) {
      this.linkTo(url[1]!, escaped(url[1]!));
      return ANGLE_URL.lastIndex;
    }
    this.plain.push('<');
    return start + 1;
  }

  private markerRun(start: number, char: string): number {
    const { source } = this;
    const end = runEnd(source, start, char);
    const run = source.slice(start, end);
    const markers = RUN_MARKERS[run];
    if (!markers) {
      this.plain.push(run);
      return end;
    }
    const before = source[start - 1] ?? ' ';
    const after = source[end] ?? ' ';
    // Flanking, simplified from CommonMark: a marker opens before text and closes after it; `_` never works inside a
    // word, so snake_case names stay as they are.
    const inWord = char === '_';
    const canOpen = !SPACE.test(after) && !(inWord && WORD.test(before));
    const canClose = !SPACE.test(before) && !(inWord && WORD.test(after));
    let waiting = [...markers];
    if (canClose) waiting = this.closeAll(waiting);
    for (const marker of waiting) {
      if (canOpen) this.openMarker(marker);
      else this.plain.push(marker);
    }
    return end;
  }

  /** Closes those of `markers` that are open, innermost first; returns the others. */
  private closeAll(markers: readonly string[]): string[] {
    let left = markers.filter((marker) => (this.openCount.get(marker) ?? 0) > 0);
    const rest = markers.filter((marker) => !left.includes(marker));
    while (left.length > 0) {
      // The innermost of them is the first met from the top of the stack; whatever is above it never closed.
      let top = this.open.length - 1;
      while (!left.includes(this.open[top]!.marker)) top -= 1;
      const marker = this.open[top]!.marker;
      this.closeMarker(marker);
      left = left.filter((m) => m !== marker);
    }
    return rest;
  }

  private openMarker(marker: string): void {
    this.emit('');
    this.open.push({ marker, at: this.out.length });
    this.out.push(escaped(marker));
    this.openCount.set(marker, (this.openCount.get(marker) ?? 0) + 1);
  }

  /** Closes the innermost open `marker`; openers above it stay as typed, which keeps the tags nested. */
  private closeMarker(marker: string): void {
    this.emit('');
    for (;;) {
      const opener = this.open.pop()!;
      this.openCount.set(opener.marker, this.openCount.get(opener.marker)! - 1);
      if (opener.marker !== marker) continue;
      const tag = MARKER_TAGS[marker]!;
      if (tag) {
        this.out[opener.at] = `<${tag}>`;
        this.out.push(`</${tag}>`);
      } else {
        this.out[opener.at] = '';
      }
      return;
    }
  }
}

/**
 * Inline markdown → HTML content (emphasis, code, links, Discord's tokens; line breaks as `<br>`), balanced and
 * escaped, for the caller to put inside a block of its own (a fact's value, an embed field).
 */
export function inline(source: string, options: MarkdownOptions = {}): string {
  return new InlineWriter(source, options, true).write();
}

const FENCE = /^\s{0,3}```/;
const HEADING = /^\s{0,3}(#{1,3})\s+(.*)$/;
const SUBTEXT = /^-#\s+(.*)$/;
const QUOTE = /^\s{0,3}>\s?(.*)$/;
const QUOTE_REST = /^\s{0,3}>>>\s?(.*)$/;
const BULLET = /^\s*[-*+]\s+(.*)$/;
const NUMBERED = /^\s*\d{1,9}[.)]\s+.*$/;

/** One block: its kind decides how its lines are written; a `break` (a blank line) only keeps blocks apart. */
interface Block {
  readonly kind: 'paragraph' | 'heading' | 'quote' | 'bullets' | 'numbered' | 'code' | 'break';
  readonly lines: string[];
}

/** Kinds whose consecutive lines make one block. */
const JOINED: ReadonlySet<Block['kind']> = new Set(['paragraph', 'quote', 'bullets', 'numbered']);

/** Splits the text into blocks, line by line: each line is looked at once. */
function blocksOf(source: string): Block[] {
  const lines = source.replace(/\r\n?/g, '\n').replace(CONTROL, '').split('\n');
  const blocks: Block[] = [];
  const add = (kind: Block['kind'], line: string): void => {
    const last = blocks[blocks.length - 1];
    if (last && last.kind === kind && JOINED.has(kind)) last.lines.push(line);
    else blocks.push({ kind, lines: [line] });
  };
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i]!;
    const heading = (HEADING.exec(line)?.[2] ?? SUBTEXT.exec(line)?.[1])?.trim();
    if (FENCE.test(line) && !line.trim().slice(3).includes('```')) {
      // A fenced block runs to the line that ends with a fence, or to the end (as CommonMark); the word after the
      // opening fence names the language, which a chat does not show.
      const code: string[] = [];
      for (i += 1; i < lines.length && !lines[i]!.trimEnd().endsWith('```'); i += 1) code.push(lines[i]!);
      if (i < lines.length) code.push(lines[i]!.trimEnd().slice(0, -3));
      if (code[code.length - 1] === '') code.pop();
      blocks.push({ kind: 'code', lines: code });
    } else if (QUOTE_REST.test(line)) {
      // Discord's `>>>`: everything after it is quoted.
      add('quote', QUOTE_REST.exec(line)![1]!);
      for (i += 1; i < lines.length; i += 1) add('quote', lines[i]!);
    } else if (heading !== undefined) {
      add('heading', heading);
    } else if (QUOTE.test(line)) {
      add('quote', QUOTE.exec(line)![1]!);
    } else if (BULLET.test(line)) {
      add('bullets', BULLET.exec(line)![1]!);
    } else if (NUMBERED.test(line)) {
      add('numbered', line.trim());
    } else if (line.trim() === '') {
      add('break', '');
    } else {
      add('paragraph', line);
    }
  }
  return blocks;
}

function blockHtml(block: Block, options: MarkdownOptions): string {
  switch (block.kind) {
    case 'code':
      return block.lines.length > 0 ? `<pre>${escaped(block.lines.join('\n'))}</pre>` : '';
    case 'heading':
      return `<p><b>${inline(block.lines.join(''), options)}</b></p>`;
    case 'bullets':
      return `<ul>${block.lines.map((line) => `<li>${inline(line, options)}</li>`).join('')}</ul>`;
    case 'quote':
      return `<blockquote>${inline(block.lines.join('\n'), options)}</blockquote>`;
    // Numbered lines keep the sender's numbers, as typed: a list that skips numbers reads as it was written.
    case 'numbered':
    case 'paragraph':
      return `<p>${inline(block.lines.join('\n'), options)}</p>`;
    case 'break':
      return '';
  }
}

/**
 * Markdown → Spaces HTML blocks (a paragraph, a list, a quote, a code block each), every one with balanced tags and
 * every character of the input escaped. Headings become bold paragraphs; Discord's mentions, channels, custom emoji
 * and timestamps become plain text (`@123`, `#456`, `:name:`, `2021-04-20 21:20 UTC`); a spoiler is shown.
 */
export function markdownToHtml(markdown: string, options: MarkdownOptions = {}): string[] {
  return blocksOf(markdown)
    .map((block) => blockHtml(block, options))
    .filter((html) => html !== '' && !/^<(p|blockquote)>(<b><\/b>)?<\/\1>$/.test(html));
}

const ENTITY_TEXT: Readonly<Record<string, string>> = { '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&amp;': '&' };

/**
 * Markdown as the plain text a reader sees (`**Uptime Kuma**` → `Uptime Kuma`, `[Run](…)` → `Run`), for a value the
 * renderer escapes itself: a message's title.
 */
export function markdownToText(markdown: string): string {
  return markdownToHtml(markdown)
    .join(' ')
    .replace(/<br>/g, ' ')
    .replace(/<[^>]*>/g, '')
    .replace(/&(lt|gt|quot|#39|amp);/g, (entity) => ENTITY_TEXT[entity]!)
    .trim();
}

/**
 * ChatMessage → Spaces `bodyText` (HTML). Pure, and the only place that writes tags: every value from a payload goes
 * through `text()` or `attr()`, so a label holding `<script>` or `<mention …>` shows as text.
 *
 * Every part stays under `MAX_BODY_BYTES` (the Spaces socket API caps a message at 16 KB of JSON): each value is cut
 * to a byte budget at a grapheme boundary and marked `…`, and a group too long for one message is split into parts.
 */
import { href, type ChatMessage, type Field, type Item, type Link, type Status, type StatusCount } from '../model/message';
import type { MentionTarget } from './mentions';
import { redact } from '../runtime/redact';
import { cutHtml, segmenter, utf8, wireSize } from './html-cut';

export { wireSize } from './html-cut';
import { hasMarks, marksToTags, withoutMarks } from './markup';

/** Budget for one bodyText, measured as it travels (UTF-8 of its JSON string), leaving room for the `data[]` entries. */
export const MAX_BODY_BYTES = 15_000;
/**
 * The most posts one message may take: 4 of the 60 posts a minute Spaces allows a user (under 7 %), so that one
 * huge group cannot crowd out everything else for a minute. A group that needs more shows its first entries in full
 * in the first `MAX_PARTS - 1` parts and sums up the rest in the last (see `renderMessage`).
 */
export const MAX_PARTS = 4;

const LIMITS = {
  title: 300,
  summary: 1_500,
  fieldName: 120,
  fieldValue: 600,
  itemTitle: 300,
  itemSummary: 600,
  linkLabel: 120,
  senderStatus: 60,
  note: 400,
  /** Links under the title, and under one item. */
  headLinks: 2_500,
  itemLinks: 1_500,
  /** The part of a message above its item list: title, summary, fields, links. */
  head: 7_000,
  /** One item of a group, with its fields and links. */
  item: 4_000,
  /** An item told in one line in a summary part: its title and its first field. */
  lineTitle: 150,
  lineField: 150,
} as const;

const LOOK: Readonly<Record<Status, { mark: string; word: string }>> = {
  firing: { mark: '🔥', word: 'FIRING' },
  resolved: { mark: '✅', word: 'RESOLVED' },
  success: { mark: '✔️', word: 'SUCCEEDED' },
  failure: { mark: '❌', word: 'FAILED' },
  cancelled: { mark: '⚪', word: 'CANCELLED' },
  timed_out: { mark: '⏱️', word: 'TIMED OUT' },
  skipped: { mark: '⏭️', word: 'SKIPPED' },
  neutral: { mark: '➖', word: 'NEUTRAL' },
  action_required: { mark: '✋', word: 'ACTION REQUIRED' },
  insufficient_data: { mark: '❔', word: 'INSUFFICIENT DATA' },
  started: { mark: '▶️', word: 'STARTED' },
  info: { mark: 'ℹ️', word: 'INFO' },
};

/** The mark and word a status is shown with, for the one-line summaries other modules write (logs, digests). */
export function statusLook(status: Status): { mark: string; word: string } {
  return LOOK[status];
}

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for an HTML attribute value. */
export function attr(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

// The relay's bold marks (markup.ts) are U+F0000 and U+F0001, written as their surrogate pairs.
const NEEDS_WORK = /[&<>"'\u0000-\u001f\u007f]|\uDB80[\uDC00\uDC01]/;

/**
 * Escapes text for HTML content (line breaks become `<br>`, a template's bold marks `<b>`), cut so that the escaped
 * result fits `maxBytes`.
 * The cut falls between graphemes, so it never splits an entity, a surrogate pair or an emoji sequence.
 */
export function text(value: string, maxBytes: number = Number.POSITIVE_INFINITY): string {
  // Most values are short and plain: nothing to escape, nothing to cut.
  if (value.length * 3 <= maxBytes && !NEEDS_WORK.test(value)) return value;
  // A template's bold marks become tags once escaped; an end tag added to a value cut inside bold needs its 4 bytes.
  return hasMarks(value) ? marksToTags(escaped(value, maxBytes - 4)) : escaped(value, maxBytes);
}

/** `text` without the fast path and the marks. */
function escaped(value: string, maxBytes: number): string {
  const escape = (s: string): string => attr(s).replace(/\r?\n/g, '<br>');
  // Every code unit costs at least one byte, so a value far longer than the budget is cut before any work on it.
  const bounded = value.length > 4 * maxBytes ? value.slice(0, 4 * maxBytes) : value;
  // Control characters mean nothing in a chat and would grow sixfold as JSON escapes, breaking the size budget.
  const clean = bounded.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]|\r(?!\n)/g, '');
  if (clean.length <= maxBytes) {
    const whole = escape(clean);
    if (utf8(whole) <= maxBytes) return whole;
  }
  const ellipsis = '…';
  let out = '';
  let used = utf8(ellipsis);
  for (const { segment } of segmenter.segment(clean.slice(0, maxBytes + 16))) {
    const piece = escape(segment);
    const size = utf8(piece);
    if (used + size > maxBytes) break;
    out += piece;
    used += size;
  }
  return out + ellipsis;
}

/** `labelHtml` linked to `url` when it may be a link (see `href`), else `undefined`: the one way markup gets an `<a>`. */
export function anchor(labelHtml: string, url: string | null | undefined): string | undefined {
  const target = url ? href(url) : undefined;
  return target && `<a href="${attr(target)}">${labelHtml}</a>`;
}

/** Renders links as words on one line, leaving out those that would not fit `budget` (long URLs are never cut). */
function links(list: readonly Link[], budget: number): string {
  const anchors: string[] = [];
  let used = 0;
  for (const link of list) {
    const linked = anchor(text(link.label, LIMITS.linkLabel), link.url);
    if (!linked) continue;
    const size = wireSize(linked) + 4;
    if (used + size > budget) continue;
    anchors.push(linked);
    used += size;
  }
  return anchors.join(' · ');
}

/** Renders fields one per line until `budget` bytes are used, then says how many were left out. */
function fields(list: readonly Field[], budget: number): string {
  const lines: string[] = [];
  let used = 0;
  for (const [index, field] of list.entries()) {
    const line = `<b>${text(field.name, LIMITS.fieldName)}</b>: ${text(field.value, LIMITS.fieldValue)}`;
    if (used + utf8(line) > budget) {
      lines.push(`<i>… ${list.length - index} more</i>`);
      break;
    }
    lines.push(line);
    used += utf8(line) + 4;
  }
  return lines.join('<br>');
}

/** The sender's own word for the status, in brackets after the status word: ` (SUPERSEDED)`. */
function senderWord(senderStatus: string | undefined): string {
  return senderStatus ? ` (${text(senderStatus, LIMITS.senderStatus)})` : '';
}

function headline(message: ChatMessage, part?: { index: number; count: number }): string {
  const { mark, word } = LOOK[message.status];
  const bits = [`${mark} ${word}${senderWord(message.senderStatus)}`];
  if (message.severity) bits.push(text(message.severity.toUpperCase(), LIMITS.fieldName));
  bits.push(text(message.title, LIMITS.title));
  const suffix = part && part.count > 1 ? ` <i>(part ${part.index}/${part.count})</i>` : '';
  return `<p><b>${bits.join(' · ')}</b>${suffix}</p>`;
}

function head(message: ChatMessage): string {
  const blocks: string[] = [];
  if (message.summary) blocks.push(`<p>${text(message.summary, LIMITS.summary)}</p>`);
  if (message.fields.length > 0) blocks.push(`<p>${fields(message.fields, LIMITS.head - LIMITS.summary)}</p>`);
  const linkLine = links(message.links, LIMITS.headLinks);
  if (linkLine) blocks.push(`<p>${linkLine}</p>`);
  return blocks.join('');
}

function item(entry: Item): string {
  const { mark, word } = LOOK[entry.status];
  let html = `${mark} <b>${text(entry.title, LIMITS.itemTitle)}</b> <i>${word.toLowerCase()}${senderWord(entry.senderStatus)}</i>`;
  if (entry.summary) html += ` — ${text(entry.summary, LIMITS.itemSummary)}`;
  const linkLine = links(entry.links, LIMITS.itemLinks);
  const budget = LIMITS.item - utf8(html) - utf8(linkLine) - 16;
  if (entry.fields.length > 0) html += `<br>${fields(entry.fields, budget)}`;
  if (linkLine) html += `<br>${linkLine}`;
  return `<li>${html}</li>`;
}

/** A line the deliverer adds about a message, with where to go instead (the S3 console for a file too large to attach). */
export interface RenderNote {
  readonly text: string;
  readonly link?: Link;
}

/** Options for `renderMessage`. */
export interface RenderOptions {
  /** Lines the deliverer adds about this message, e.g. that a file could not be attached. Shown in the first part. */
  readonly notes?: readonly (string | RenderNote)[];
  /** The team's users or groups this message calls on (`mentions.ts`): at the top of the first part. */
  readonly mentions?: readonly MentionTarget[];
}

/**
 * Spaces' mention markup, as its public sample code writes it (the REST reference does not describe it):
 * `<mention id type value>`, with the name as text for a client that shows the tag's content.
 */
function mentionLine(targets: readonly MentionTarget[]): string {
  if (targets.length === 0) return '';
  const tags = targets.map(
    (t) => `<mention id="${attr(t.id)}" type="${attr(t.type)}" value="${attr(t.name)}">@${text(t.name, LIMITS.fieldName)}</mention>`,
  );
  return `<p>${tags.join(' ')}</p>`;
}

/**
 * A note is the relay's own words about the message, and often quotes an error (why a file could not be attached, a
 * URL that names it): redacted (`redact.ts`) before it is escaped and cut, as everything the relay says is.
 */
function note(entry: string | RenderNote): string {
  const { text: line, link } = typeof entry === 'string' ? { text: entry, link: undefined } : entry;
  const anchor = link ? links([link], LIMITS.headLinks) : '';
  return `<p><i>${text(redact(withoutMarks(line)), LIMITS.note)}</i>${anchor ? ` ${anchor}` : ''}</p>`;
}

/** One item in a line, for the summary part: its status mark, its title and the field that tells it apart. */
function line(entry: Item): string {
  const field = entry.fields[0];
  const detail = field ? ` · ${text(field.name, LIMITS.fieldName)}: ${text(field.value, LIMITS.lineField)}` : '';
  return `<li>${LOOK[entry.status].mark} <b>${text(entry.title, LIMITS.lineTitle)}</b>${detail}</li>`;
}

/** `n` with thousands separators, as a count reads best. */
const counted = (n: number): string => n.toLocaleString('en-US');

/** "2,600 🔥 firing, 350 ✅ resolved": how many entries there are of each status, most first. */
function tally(counts: readonly StatusCount[]): string {
  const byStatus = new Map<Status, number>();
  for (const { status, count } of counts) byStatus.set(status, (byStatus.get(status) ?? 0) + count);
  return [...byStatus]
    .sort((a, b) => b[1] - a[1])
    .map(([status, n]) => `${counted(n)} ${LOOK[status].mark} ${LOOK[status].word.toLowerCase()}`)
    .join(', ');
}

/**
 * Packs `entries` in order, rendered by `render`, into parts of `room(index)` bytes each, at most `maxParts`; returns
 * the parts. Entries are rendered only as far as they fit: a group of thousands costs what its parts show.
 */
function pack<T>(entries: readonly T[], render: (entry: T) => string, room: (index: number) => number, maxParts: number): string[][] {
  const chunks: string[][] = [[]];
  let left = room(0);
  for (const entry of entries) {
    const html = render(entry);
    const size = wireSize(html);
    // An entry too large for what is left of a part starts the next one; the first part may stay without entries
    // when its head leaves too little room for a markup block that a whole part holds.
    const current = chunks[chunks.length - 1]!;
    if (size > left && (current.length > 0 || (chunks.length === 1 && size <= room(1)))) {
      if (chunks.length === maxParts) break;
      chunks.push([]);
      left = room(chunks.length - 1);
    }
    chunks[chunks.length - 1]!.push(html);
    left -= size;
  }
  return chunks;
}

/**
 * What the parts show after the head, in order: the message's markup blocks, then its items. An item renders as a
 * `<li>`; a part wraps its run of them in one list.
 */
type Entry = { readonly markup: string } | Item;

const entryHtml = (entry: Entry): string => ('markup' in entry ? entry.markup : item(entry));

/** A part's entries as HTML: its markup blocks as they are, its items in one list. */
function partBody(chunk: readonly string[]): string {
  const blocks = chunk.filter((html) => !html.startsWith('<li>'));
  const lines = chunk.filter((html) => html.startsWith('<li>'));
  return blocks.join('') + (lines.length > 0 ? `<ul>${lines.join('')}</ul>` : '');
}

/** How a message is laid out in parts: the entries shown per part, and the summary part if there is one. */
interface Layout {
  readonly first: string;
  /** Per part, its markup blocks and items as HTML (see `partBody`). */
  readonly chunks: string[][];
  /** How many items the chunks show in full. */
  readonly full: number;
  readonly summary?: { readonly heading: string; readonly lines: string[] };
  /** Entries shown nowhere, the sender's and the relay's own omissions included. */
  readonly omitted: number;
  /** Whether markup blocks were left out (more text than `MAX_PARTS` parts hold). */
  readonly markupCut: boolean;
}

function layout(message: ChatMessage, notes: string, lead = ''): Layout {
  // Room a part needs besides its items: the longest headline (with "part n/N"), the list tags and the tail line.
  const frame = wireSize(headline(message, { index: MAX_PARTS, count: MAX_PARTS })) + 200;
  const first = head(message) + notes;
  const room = (index: number): number => MAX_BODY_BYTES - frame - (index === 0 ? wireSize(lead + first) : 0);
  // Items the relay already cut to a line (see `Item.brief`) are never shown in full.
  const brief = message.items.findIndex((entry) => entry.brief);
  const known = message.omitted ?? 0;
  // A block larger than a whole part is cut to one, between tags (the markup is the relay's own, balanced HTML).
  const markup = (message.markup ?? []).map((html) => ({ markup: cutHtml(html, room(1)) }));
  const entries: Entry[] = [...markup, ...(brief < 0 ? message.items : message.items.slice(0, brief))];
  const itemsIn = (chunks: readonly string[][]): number => chunks.reduce((sum, chunk) => sum + chunk.filter((html) => html.startsWith('<li>')).length, 0);
  const blocksIn = (chunks: readonly string[][]): number => chunks.reduce((sum, chunk) => sum + chunk.length, 0) - itemsIn(chunks);

  const whole = pack(entries, entryHtml, room, MAX_PARTS);
  const markupCut = blocksIn(whole) < markup.length;
  if (itemsIn(whole) === message.items.length) return { first, chunks: whole, full: itemsIn(whole), omitted: known, markupCut };

  // Too many for MAX_PARTS parts: the first ones in full, then the rest one line each, as many as fit, and a count.
  const chunks = whole.slice(0, MAX_PARTS - 1);
  const full = itemsIn(chunks);
  const rest = message.items.slice(full);
  const counts = [...rest.map((entry) => ({ status: entry.status, count: 1 })), ...(message.omittedByStatus ?? [])];
  const heading = `<p><b>${counted(rest.length + known)} more</b> (${tally(counts)}), one line each:</p>`;
  const [lines = []] = pack(rest, line, () => room(MAX_PARTS - 1) - wireSize(heading), 1);
  const omitted = known + rest.length - lines.length;
  return { first, chunks, full, summary: { heading, lines }, omitted, markupCut: blocksIn(chunks) < markup.length };
}

/**
 * Renders a message as one or more bodyTexts, each under `MAX_BODY_BYTES` on the wire, at most `MAX_PARTS` of them.
 * Items are packed in order; a group that needs more parts keeps the first `MAX_PARTS - 1` in full and gives the
 * last to a summary: how many more there are of each status, then one line per item as far as they fit, and how
 * many were left out.
 */
export function renderMessage(message: ChatMessage, options: RenderOptions = {}): string[] {
  const lead = mentionLine(options.mentions ?? []);
  const { first, chunks, summary, omitted, markupCut } = layout(message, [...(message.notes ?? []), ...(options.notes ?? [])].map(note).join(''), lead);
  const bodies = [...chunks.map(partBody), ...(summary ? [summary.heading + (summary.lines.length > 0 ? `<ul>${summary.lines.join('')}</ul>` : '')] : [])];
  return bodies.map((body, index) => {
    let html = (index === 0 ? lead : '') + headline(message, { index: index + 1, count: bodies.length });
    if (index === 0) html += first;
    html += body;
    if (index === bodies.length - 1 && markupCut) html += '<p><i>… the rest of the text is not shown</i></p>';
    if (index === bodies.length - 1 && omitted > 0) html += `<p><i>and ${counted(omitted)} more not shown</i></p>`;
    return html;
  });
}

/**
 * How many of a message's items `renderMessage` shows in full and how many as lines of its summary part (without
 * notes, which only take room): ingest queues no more than that.
 */
export function itemsShown(message: ChatMessage): { readonly full: number; readonly lines: number } {
  const { full, summary } = layout(message, '');
  return { full, lines: summary?.lines.length ?? 0 };
}

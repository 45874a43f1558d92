/**
 * What ingest puts on the queue and deliver takes off it: one `ChatMessage` with the key that makes its delivery
 * idempotent. The schema is checked again on the way out, because the queue is a boundary too.
 */
import * as v from 'valibot';
import { cutText } from '../runtime/text';
import { itemsShown, MAX_BODY_BYTES, MAX_PARTS } from '../render/body-text';
import { cutHtml } from '../render/html-cut';
import { boundedFacts, byteSize, MAX_FACTS_BYTES } from './facts';
import { ChatMessageSchema, type ChatMessage, type Field, type Item, type Link, type Status } from './message';

export const QueuedNotificationSchema = v.object({
  /** Format version, so a deliver of a newer release can still read what an older ingest queued. */
  v: v.literal(1),
  /** The id the sender got back in the 202 answer; shared by all messages of one request. */
  id: v.string(),
  deliveryKey: v.pipe(v.string(), v.nonEmpty()),
  receivedAt: v.string(),
  channel: v.string(),
  message: ChatMessageSchema,
});
export type QueuedNotification = v.InferOutput<typeof QueuedNotificationSchema>;

/** SQS takes 256 KiB per message; leave room for attributes and the envelope. */
export const MAX_QUEUED_BYTES = 200_000;
/** A message's head (everything but its items) takes at most half of a queue message; its items share the rest. */
const MAX_HEAD_BYTES = MAX_QUEUED_BYTES / 2;
/**
 * One item takes at most this: a little more than twice what the renderer shows of one, so that the items one
 * message shows in full (see `MAX_PARTS`) fit a queue message beside the head.
 */
const MAX_ITEM_BYTES = 10_000;
/**
 * A message's markup blocks take at most this in the queue: what its parts can show, which is less (each part also
 * has a head line); the rest of the head shares what is left of `MAX_HEAD_BYTES`.
 */
const MAX_MARKUP_BYTES = MAX_PARTS * MAX_BODY_BYTES;
/** Room for the counts by status of the items left out: a few bytes per status, whichever the items have. */
const STATUS_COUNTS_BYTES = 1_000;
/** How long a summary line's title and field may be in the queue; the renderer cuts them shorter still. */
const MAX_LINE_CHARS = 200;
/** No single value needs more than this to be rendered (the renderer cuts far shorter); longer ones are cut here. */
const MAX_VALUE_CHARS = 4_000;
/** The shortest a value is cut to while a head or item is made to fit; then list entries go instead. */
const MIN_VALUE_CHARS = 64;
/**
 * Links longer than this are not links any more but text, cut like any value: no reader follows one, and a URL can
 * only be cut into another, wrong URL. Long dashboard links with many variables stay well below it.
 */
export const MAX_URL_CHARS = 8_192;

/**
 * The markup blocks that fit `MAX_MARKUP_BYTES`, in order: the one that crosses it is cut between tags (see
 * `cutHtml`), the rest are left out. Never cut as text, which could end a block inside a tag or an entity.
 */
function boundedMarkup(markup: readonly string[]): string[] {
  const kept: string[] = [];
  let left = MAX_MARKUP_BYTES;
  for (const block of markup) {
    // A cut block needs room for its closing tags and `…`; less than this is not worth a block.
    if (left < 64) break;
    const fitted = cutHtml(block, left);
    kept.push(fitted);
    left -= byteSize(fitted) + 1;
  }
  return kept;
}

/** Every string in `value` cut to `max`, URLs excepted (they are bounded by `boundedUrls` first). */
function cutStrings<T>(value: T, max: number): T {
  if (typeof value === 'string') return cutText(value, max) as T;
  if (Array.isArray(value)) return value.map((entry: unknown) => cutStrings(entry, max)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'url' ? v : cutStrings(v, max)])) as T;
  }
  return value;
}

/** Links too long to be links become fields showing the start of the address. */
function boundedLinks<T extends { fields: Field[]; links: Link[] }>(holder: T): T {
  const long = holder.links.filter((link) => link.url.length > MAX_URL_CHARS);
  if (long.length === 0) return holder;
  return {
    ...holder,
    links: holder.links.filter((link) => link.url.length <= MAX_URL_CHARS),
    fields: [...holder.fields, ...long.map((link) => ({ name: link.label, value: cutText(link.url, MAX_VALUE_CHARS) }))],
  };
}

/** A file whose address is too long to be fetched is left out, and the message says so. */
function boundedUrls(message: ChatMessage): ChatMessage {
  const tooLong = message.attachments.filter((a) => a.kind === 'url' && a.url.length > MAX_URL_CHARS);
  const notes: Field[] = tooLong.map((a) => ({
    name: 'Not attached',
    value: `${a.name ?? 'a file'}: its address is ${a.kind === 'url' ? a.url.length : 0} characters long (at most ${MAX_URL_CHARS})`,
  }));
  return {
    ...boundedLinks({ ...message, fields: [...message.fields, ...notes] }),
    attachments: message.attachments.filter((a) => !tooLong.includes(a)),
    items: message.items.map(boundedLinks),
  };
}

/**
 * `holder` within `maxBytes`: its values cut shorter and shorter, then, if it still does not fit (thousands of
 * fields), its last fields and links left out with a field saying how many.
 */
function fitted<T extends { fields: Field[]; links: Link[] }>(holder: T, maxBytes: number): T {
  let cap = MAX_VALUE_CHARS;
  let result = cutStrings(holder, cap);
  while (byteSize(result) > maxBytes && cap > MIN_VALUE_CHARS) {
    cap = Math.max(MIN_VALUE_CHARS, Math.floor(cap / 2));
    result = cutStrings(holder, cap);
  }
  // Links go first, then fields, from the end; each entry's size is taken once (measuring the whole holder again per
  // entry made a 1 MB body of 5,000 fields take seconds).
  let excess = byteSize(result) - maxBytes;
  let links = result.links.length;
  let fields = result.fields.length;
  while (excess > 0 && links + fields > 0) {
    excess -= links > 0 ? byteSize(result.links[--links]) + 1 : byteSize(result.fields[--fields]) + 1;
  }
  const dropped = result.links.length - links + result.fields.length - fields;
  if (dropped === 0) return result;
  const kept = { ...result, links: result.links.slice(0, links), fields: result.fields.slice(0, fields) };
  return { ...kept, fields: [...kept.fields, { name: 'Not shown', value: `${dropped} more fields and links` }] };
}

/** An item as a summary line shows it: status, title and the field that tells it apart. */
function asLine(item: Item): Item {
  const fields = item.fields.slice(0, 1).map((field) => ({ name: cutText(field.name, MAX_LINE_CHARS), value: cutText(field.value, MAX_LINE_CHARS) }));
  return { status: item.status, title: cutText(item.title, MAX_LINE_CHARS), fields, links: [], brief: true };
}

/** Adds `items` to the message's left-out entries, counted by status. */
function leftOut(message: ChatMessage, items: readonly Item[]): ChatMessage {
  if (items.length === 0) return message;
  const counts = new Map<Status, number>();
  for (const { status, count } of message.omittedByStatus ?? []) counts.set(status, (counts.get(status) ?? 0) + count);
  for (const { status } of items) counts.set(status, (counts.get(status) ?? 0) + 1);
  return {
    ...message,
    omitted: (message.omitted ?? 0) + items.length,
    omittedByStatus: [...counts].map(([status, count]) => ({ status, count })),
  };
}

/**
 * The one notification a message becomes. Long values are cut; of a group's items, only what the renderer will show
 * is queued — the first in full, the next as the lines of its summary part (see `renderMessage`) — and the rest are
 * counted by status, so that a group of any size is one queue message and at most `MAX_PARTS` posts.
 */
export function toNotification(
  message: ChatMessage,
  base: { id: string; deliveryKey: string; receivedAt: string; channel: string },
): QueuedNotification {
  const bounded = boundedUrls(message);
  const items = bounded.items.map((item) => fitted(item, MAX_ITEM_BYTES));
  const markup = bounded.markup && boundedMarkup(bounded.markup);
  const markupBytes = markup ? byteSize(markup) : 0;
  // Attachments are not cut: a shortened key or URL names another file. Sources name a few, with bounded keys.
  // Facts are bounded on their own: cut with the shown values, a label would stop matching the rule written for it.
  const { facts, ...visible } = bounded;
  const rest = fitted({ ...visible, markup: undefined, items: [], attachments: [] }, MAX_HEAD_BYTES - markupBytes - MAX_FACTS_BYTES);
  const head: ChatMessage = {
    ...rest,
    ...(markup && { markup }),
    attachments: bounded.attachments,
    ...(facts && { facts: boundedFacts(facts) }),
  };
  const { full, lines } = itemsShown({ ...head, items });
  const shown = [...items.slice(0, full), ...items.slice(full, full + lines).map(asLine)];
  // Each item is bounded, but many large ones shown in full could still outgrow a queue message: the last give way.
  let size = byteSize({ v: 1, ...base, message: leftOut({ ...head, items: shown }, items.slice(shown.length)) }) + STATUS_COUNTS_BYTES;
  let keep = shown.length;
  while (size > MAX_QUEUED_BYTES && keep > 0) {
    keep -= 1;
    size -= byteSize(shown[keep]) + 1;
  }
  return { v: 1 as const, ...base, message: leftOut({ ...head, items: shown.slice(0, keep) }, items.slice(keep)) };
}

/** The notifications for all messages of one webhook or event: each message gets its own key, derived from the sender's. */
export function notificationsFor(
  messages: readonly ChatMessage[],
  base: { id: string; deliveryKey: string; receivedAt: string; channel: string },
): QueuedNotification[] {
  return messages.map((message, index) =>
    toNotification(message, {
      ...base,
      deliveryKey: messages.length === 1 ? base.deliveryKey : `${base.deliveryKey}/${index + 1}`,
      channel: message.channel ?? base.channel,
    }),
  );
}

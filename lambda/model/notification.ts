/**
 * What ingest puts on the queue and deliver takes off it: one `ChatMessage` with the key that makes its delivery
 * idempotent. The schema is checked again on the way out, because the queue is a boundary too.
 */
import * as v from 'valibot';
import { cutText } from '../runtime/text';
import { ChatMessageSchema, type ChatMessage, type Field, type Link } from './message';

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
/** One item takes at most a quarter, so a chunk always holds at least one whole item. */
const MAX_ITEM_BYTES = MAX_QUEUED_BYTES / 4;
/** No single value needs more than this to be rendered (the renderer cuts far shorter); longer ones are cut here. */
const MAX_VALUE_CHARS = 4_000;
/** The shortest a value is cut to while a head or item is made to fit; then list entries go instead. */
const MIN_VALUE_CHARS = 64;
/**
 * Links longer than this are not links any more but text, cut like any value: no reader follows one, and a URL can
 * only be cut into another, wrong URL. Long dashboard links with many variables stay well below it.
 */
export const MAX_URL_CHARS = 8_192;

const byteSize = (value: unknown): number => Buffer.byteLength(JSON.stringify(value));

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
  let dropped = 0;
  while (byteSize(result) > maxBytes && result.fields.length + result.links.length > 0) {
    result = result.links.length > 0 ? { ...result, links: result.links.slice(0, -1) } : { ...result, fields: result.fields.slice(0, -1) };
    dropped += 1;
  }
  return dropped > 0 ? { ...result, fields: [...result.fields, { name: 'Not shown', value: `${dropped} more fields and links` }] } : result;
}

/**
 * Makes notifications that fit the queue: long values are cut, and a group whose items do not fit one queue message
 * is spread over several, each with the same head (parts of one alert group, in order).
 */
export function toNotifications(
  message: ChatMessage,
  base: { id: string; deliveryKey: string; receivedAt: string; channel: string },
): QueuedNotification[] {
  const bounded = boundedUrls(message);
  const items = bounded.items.map((item) => fitted(item, MAX_ITEM_BYTES));
  // Attachments are not cut: a shortened key or URL names another file. Sources name a few, with bounded keys.
  const head: ChatMessage = { ...fitted({ ...bounded, items: [], attachments: [], omitted: undefined }, MAX_HEAD_BYTES), attachments: bounded.attachments };
  const chunks: ChatMessage['items'][] = [[]];
  let used = byteSize(head);
  for (const item of items) {
    const itemSize = byteSize({ ...head, items: [item] }) - byteSize(head);
    if (used + itemSize > MAX_QUEUED_BYTES && chunks[chunks.length - 1]!.length > 0) {
      chunks.push([]);
      used = byteSize(head);
    }
    chunks[chunks.length - 1]!.push(item);
    used += itemSize;
  }
  return chunks.map((chunk, index) => ({
    v: 1 as const,
    ...base,
    deliveryKey: chunks.length === 1 ? base.deliveryKey : `${base.deliveryKey}#${index + 1}`,
    message: {
      ...head,
      items: chunk,
      omitted: index === chunks.length - 1 ? bounded.omitted : undefined,
      // Later chunks of a group repeat the title but not the attachments.
      attachments: index === 0 ? head.attachments : [],
    },
  }));
}

/** The notifications for all messages of one webhook or event: each message gets its own key, derived from the sender's. */
export function notificationsFor(
  messages: readonly ChatMessage[],
  base: { id: string; deliveryKey: string; receivedAt: string; channel: string },
): QueuedNotification[] {
  return messages.flatMap((message, index) =>
    toNotifications(message, {
      ...base,
      deliveryKey: messages.length === 1 ? base.deliveryKey : `${base.deliveryKey}/${index + 1}`,
      channel: message.channel ?? base.channel,
    }),
  );
}

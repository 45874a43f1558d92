/**
 * What ingest puts on the queue and deliver takes off it: one `ChatMessage` with the key that makes its delivery
 * idempotent. The schema is checked again on the way out, because the queue is a boundary too.
 */
import * as v from 'valibot';
import { ChatMessageSchema, type ChatMessage } from './message';

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
/** No single value needs more than this to be rendered (the renderer cuts far shorter); longer ones are cut here. */
const MAX_VALUE_CHARS = 4_000;

/** `text` cut to `MAX_VALUE_CHARS` code units, never between the two halves of a surrogate pair. */
function cut(text: string): string {
  if (text.length <= MAX_VALUE_CHARS) return text;
  const end = /[\uD800-\uDBFF]/.test(text.charAt(MAX_VALUE_CHARS - 1)) ? MAX_VALUE_CHARS - 1 : MAX_VALUE_CHARS;
  return `${text.slice(0, end)}…`;
}

function cutStrings<T>(value: T): T {
  if (typeof value === 'string') return cut(value) as T;
  if (Array.isArray(value)) return value.map(cutStrings) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'url' ? v : cutStrings(v)])) as T;
  }
  return value;
}

/**
 * Makes notifications that fit the queue: long values are cut, and a group whose items do not fit one queue message
 * is spread over several, each with the same head (parts of one alert group, in order).
 */
export function toNotifications(
  message: ChatMessage,
  base: { id: string; deliveryKey: string; receivedAt: string; channel: string },
): QueuedNotification[] {
  const bounded = cutStrings(message);
  const size = (m: ChatMessage): number => Buffer.byteLength(JSON.stringify(m));
  const head: ChatMessage = { ...bounded, items: [], omitted: undefined };
  const chunks: ChatMessage['items'][] = [[]];
  let used = size(head);
  for (const item of bounded.items) {
    const itemSize = size({ ...head, items: [item] }) - size(head);
    if (used + itemSize > MAX_QUEUED_BYTES && chunks[chunks.length - 1]!.length > 0) {
      chunks.push([]);
      used = size(head);
    }
    chunks[chunks.length - 1]!.push(item);
    used += itemSize;
  }
  return chunks.map((items, index) => ({
    v: 1 as const,
    ...base,
    deliveryKey: chunks.length === 1 ? base.deliveryKey : `${base.deliveryKey}#${index + 1}`,
    message: {
      ...head,
      items,
      omitted: index === chunks.length - 1 ? bounded.omitted : undefined,
      // Later chunks of a group repeat the title but not the attachments.
      attachments: index === 0 ? bounded.attachments : [],
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

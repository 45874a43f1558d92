/**
 * What the redrive tests share: a clock on which only `Date` moves (so that a dead letter can be redriven days later
 * while timers, retries and sockets keep real time), and a notification long enough to be posted in several parts.
 */
import { chatMessage, type ChatMessage } from '../../lambda/model/message';
import { notificationsFor } from '../../lambda/model/notification';

export const DAY_MS = 24 * 60 * 60 * 1000;
/** The day the first attempt is made on. */
export const FIRST_DAY = Date.parse('2025-03-03T09:00:00Z');

/** Everything jest can fake, except `Date`. */
const REAL_TIMERS = [
  'hrtime',
  'nextTick',
  'performance',
  'queueMicrotask',
  'requestAnimationFrame',
  'cancelAnimationFrame',
  'requestIdleCallback',
  'cancelIdleCallback',
  'setImmediate',
  'clearImmediate',
  'setInterval',
  'clearInterval',
  'setTimeout',
  'clearTimeout',
] as const;

/**
 * Fakes `Date` only — the SDK's and the relay's timers and sockets keep real time — set to `at` and running on from
 * there (or standing still with `frozen`); move it with `jest.setSystemTime`, undo with `jest.useRealTimers`.
 */
export function onlyDateMoves(at: number = FIRST_DAY, { frozen = false } = {}): void {
  jest.useFakeTimers({ doNotFake: [...REAL_TIMERS], advanceTimers: !frozen, now: at });
}

/** An Alertmanager-like group of 24 alerts: three parts when rendered. */
export function longAlertGroup(title: string): ChatMessage {
  const long = (what: string, i: number) => `${what} ${i}: ${'the disk on this host is filling up quickly; '.repeat(13)}`;
  return chatMessage({
    source: 'alertmanager',
    status: 'firing',
    title,
    items: Array.from({ length: 24 }, (_, i) => ({
      status: 'firing' as const,
      title: `${title} on host-${i}`,
      summary: long('summary', i),
      fields: [{ name: 'detail', value: long('detail', i) }],
      links: [],
    })),
  });
}

/** A queue record's body carrying `message` for the default channel, as ingest queues it. */
export function queuedBody(message: ChatMessage, deliveryKey: string): string {
  const [notification] = notificationsFor([message], {
    id: deliveryKey,
    deliveryKey,
    receivedAt: new Date().toISOString(),
    channel: 'default',
  });
  return JSON.stringify(notification);
}

/** Which part of how many each posted body says it is (`1/3`), in the order they were posted. */
export const partsOf = (bodies: readonly { bodyText: string }[]): (string | undefined)[] =>
  bodies.map((body) => /\(part (\d+)\/(\d+)\)/.exec(body.bodyText)?.slice(1).join('/'));

/**
 * What deliver finds in a queue record: a notification that ingest queued, or an AWS-native event that the stack
 * routes to the queue (S3, SNS, EventBridge), normalized here through the same source modules as webhooks.
 */
import * as v from 'valibot';
import { PermanentDeliveryError } from './delivery';
import { unwrapText } from './envelopes';
import { QueuedNotificationSchema, notificationsFor, type QueuedNotification } from './notification';
import { SOURCES } from './sources';
import type { ResolvedSettings } from './sources/settings';
import { problemsOf } from './validate';

function isQueuedNotification(value: unknown): boolean {
  return !!value && typeof value === 'object' && 'v' in value && 'deliveryKey' in value;
}

/** A short description of an unknown event for the dead-letter reason, without its content. */
function shapeOf(event: unknown): string {
  if (!event || typeof event !== 'object') return typeof event;
  const e = event as Record<string, unknown>;
  if (typeof e['detail-type'] === 'string') return `EventBridge "${e['detail-type']}" from ${String(e.source)}`;
  return `object with keys ${Object.keys(e).slice(0, 6).join(', ')}`;
}

function fromEvent(event: unknown, settings: ResolvedSettings, receivedAt: string): QueuedNotification[] {
  const source = SOURCES.find((candidate) => candidate.event?.matches(event));
  if (!source) {
    const known = SOURCES.filter((s) => s.event).map((s) => s.name);
    throw new PermanentDeliveryError(
      `no source recognises this event (${shapeOf(event)}); event sources: ${known.join(', ') || 'none'}`,
    );
  }
  const parsed = v.safeParse(source.schema, event);
  if (!parsed.success) {
    const problem = problemsOf(parsed.issues)[0]!;
    throw new PermanentDeliveryError(`invalid ${source.name} event: ${problem.field}: ${problem.problem}`);
  }
  const key = source.deliveryKey(parsed.output);
  return notificationsFor(source.toMessages(parsed.output, settings.get(source.name)), { id: key, deliveryKey: key, receivedAt, channel: 'default' });
}

/** The notifications a queue record body carries; a body nothing recognises is a permanent failure, with the reason. */
export function notificationsFromRecord(body: string, settings: ResolvedSettings, now: Date = new Date()): QueuedNotification[] {
  return unwrapText(body).flatMap((payload) => {
    if (!isQueuedNotification(payload)) return fromEvent(payload, settings, now.toISOString());
    const result = v.safeParse(QueuedNotificationSchema, payload);
    if (result.success) return [result.output];
    const problem = problemsOf(result.issues)[0]!;
    throw new PermanentDeliveryError(`queued notification is malformed: ${problem.field}: ${problem.problem}`);
  });
}

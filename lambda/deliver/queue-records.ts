/**
 * What deliver finds in a queue record: a notification that ingest queued, or an AWS-native event that the stack
 * routes to the queue (S3, SNS, EventBridge), normalized here through the same source modules as webhooks.
 */
import * as v from 'valibot';
import { JsonShapeError } from '../runtime/json';
import { PermanentDeliveryError } from './deliver-notification';
import { dispatchEvent } from '../sources/dispatch';
import { unwrapText } from '../envelopes';
import { QueuedNotificationSchema, notificationsFor, type QueuedNotification } from '../model/notification';
import type { ResolvedSettings } from '../sources/settings';
import { problemsOf } from '../runtime/validate';

function isQueuedNotification(value: unknown): boolean {
  return !!value && typeof value === 'object' && 'v' in value && 'deliveryKey' in value;
}

function fromEvent(event: unknown, settings: ResolvedSettings, receivedAt: string): QueuedNotification[] {
  const dispatched = dispatchEvent(event, settings);
  if (!dispatched.ok) throw new PermanentDeliveryError(dispatched.reason);
  const key = dispatched.deliveryKey;
  return notificationsFor(dispatched.messages, { id: key, deliveryKey: key, receivedAt, channel: 'default' });
}

/** The notifications a queue record body carries; a body nothing recognises is a permanent failure, with the reason. */
export function notificationsFromRecord(body: string, settings: ResolvedSettings, now: Date = new Date()): QueuedNotification[] {
  let payloads: unknown[];
  try {
    payloads = unwrapText(body);
  } catch (error) {
    if (error instanceof JsonShapeError) throw new PermanentDeliveryError(`the record's JSON is refused: ${error.message}`);
    throw error;
  }
  return payloads.flatMap((payload) => {
    if (!isQueuedNotification(payload)) return fromEvent(payload, settings, now.toISOString());
    const result = v.safeParse(QueuedNotificationSchema, payload);
    if (result.success) return [result.output];
    const problem = problemsOf(result.issues)[0]!;
    throw new PermanentDeliveryError(`queued notification is malformed: ${problem.field}: ${problem.problem}`);
  });
}

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
import { NO_TEMPLATES, writtenAs, type CompiledTemplates } from '../render/templates';
import { problemsOf } from '../runtime/validate';
import { routed } from '../routing/routed';
import type { CompiledRoute } from '../routing/routes';

function isQueuedNotification(value: unknown): boolean {
  return !!value && typeof value === 'object' && 'v' in value && 'deliveryKey' in value;
}

/** Where AWS events keep the moment they happened: EventBridge, S3 notifications, SNS, CloudWatch alarm messages. */
const EVENT_TIME_FIELDS = ['time', 'eventTime', 'Timestamp', 'StateChangeTime', 'Time'] as const;

/**
 * When the event happened, as it says itself, else `now`. An event read from the queue again (redelivered,
 * redriven days later) then counts as received when it first was, as a webhook's queued `receivedAt` does.
 */
function occurredAt(event: unknown, now: Date): string {
  const holders = [event, (event as { Records?: unknown[] } | null)?.Records?.[0]];
  for (const holder of holders) {
    if (!holder || typeof holder !== 'object') continue;
    for (const field of EVENT_TIME_FIELDS) {
      const value = (holder as Record<string, unknown>)[field];
      const time = typeof value === 'string' ? Date.parse(value) : Number.NaN;
      if (!Number.isNaN(time)) return new Date(time).toISOString();
    }
  }
  return now.toISOString();
}

/** How deliver says the AWS events it reads: the team's routes and drops, then its templates. */
export interface EventTreatment {
  readonly routes?: readonly CompiledRoute[];
  readonly templates?: CompiledTemplates;
}

function fromEvent(event: unknown, settings: ResolvedSettings, now: Date, treatment: EventTreatment): QueuedNotification[] {
  const dispatched = dispatchEvent(event, settings);
  if (!dispatched.ok) throw new PermanentDeliveryError(dispatched.reason);
  const key = dispatched.deliveryKey;
  const made = notificationsFor(dispatched.messages, { id: key, deliveryKey: key, receivedAt: occurredAt(event, now), channel: 'default' });
  // Routed first, then written with the templates of the channel each goes to.
  const { kept } = routed(made, treatment.routes ?? []);
  return writtenAs(kept, { source: dispatched.source, payload: dispatched.payload }, treatment.templates ?? NO_TEMPLATES);
}

/**
 * The notifications a queue record body carries, an AWS event's as the team's `templates` write it; a body nothing
 * recognises is a permanent failure, with the reason. The AWS events among them go through the team's `routes`: a
 * record whose notifications were all dropped carries nothing to post, and is acknowledged.
 */
export function notificationsFromRecord(
  body: string,
  settings: ResolvedSettings,
  now: Date = new Date(),
  treatment: EventTreatment = {},
): QueuedNotification[] {
  let payloads: unknown[];
  try {
    payloads = unwrapText(body);
  } catch (error) {
    if (error instanceof JsonShapeError) throw new PermanentDeliveryError(`the record's JSON is refused: ${error.message}`);
    throw error;
  }
  return payloads.flatMap((payload) => {
    if (!isQueuedNotification(payload)) return fromEvent(payload, settings, now, treatment);
    const result = v.safeParse(QueuedNotificationSchema, payload);
    if (result.success) return [result.output];
    const problem = problemsOf(result.issues)[0]!;
    throw new PermanentDeliveryError(`queued notification is malformed: ${problem.field}: ${problem.problem}`);
  });
}

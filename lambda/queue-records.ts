/**
 * What deliver finds in a queue record: a notification that ingest queued. AWS-native events that the stack routes to
 * the queue are read here as well, as their sources are added.
 */
import { PermanentDeliveryError } from './delivery';
import { QueuedNotificationSchema, type QueuedNotification } from './notification';
import * as v from 'valibot';
import { problemsOf } from './validate';

/** The notifications a queue record body carries; a body nothing recognises is a permanent failure, with the reason. */
export function notificationsFromRecord(body: string): QueuedNotification[] {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new PermanentDeliveryError('queue record body is not JSON');
  }
  if (json && typeof json === 'object' && 'v' in json) {
    const result = v.safeParse(QueuedNotificationSchema, json);
    if (result.success) return [result.output];
    const problem = problemsOf(result.issues)[0]!;
    throw new PermanentDeliveryError(`queued notification is malformed: ${problem.field}: ${problem.problem}`);
  }
  throw new PermanentDeliveryError('queue record is neither a queued notification nor an event the relay knows');
}

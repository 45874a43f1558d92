import type { DeadLetters } from './dead-letter';
import { onceKey, type DeliveryIdempotency } from './idempotency';
import { deliverNotification, type DeliveryDependencies } from './deliver-notification';
import { logger } from '../runtime/logger';
import { count } from '../runtime/metrics';
import type { QueuedNotification } from '../model/notification';
import type { ResolvedSettings } from '../sources/settings';
import type { CompiledTemplates } from '../render/templates';
import type { InPlaceRetry } from './retry-in-place';
import type { CompiledRoute } from '../routing/routes';

/** Everything deliver needs for a queue record, on top of what one notification needs. */
export interface RecordDependencies extends DeliveryDependencies {
  readonly sourceSettings: ResolvedSettings;
  /** The team's routes and drops, applied to the AWS events deliver says (webhooks were routed by ingest). */
  readonly routes?: readonly CompiledRoute[];
  /** How the team's messages read (`render/templates.ts`), for the AWS events deliver says. */
  readonly templates: CompiledTemplates;
  readonly idempotency: DeliveryIdempotency;
  readonly deadLetters: DeadLetters;
  /** Waiting text-only notifications for one space, from this many on, are folded into digests. */
  readonly digestThreshold: number;
  /** The queue's redrive policy: a record's last receive, after which SQS would dead-letter it without a reason. */
  readonly maxReceives?: number;
  /** How a failed notification is retried within the invocation before its record goes back to the queue. */
  readonly retryInPlace?: InPlaceRetry;
}

/** What became of one notification. */
export interface Delivered {
  readonly deliveryKey: string;
  readonly spaceId: string;
  readonly messageIds: string[];
  /** An earlier copy was delivered already: nothing was posted this time. */
  readonly deduplicated: boolean;
}

/** The notification is being delivered by another invocation right now; this copy must wait and come back. */
export class InProgressElsewhereError extends Error {
  constructor(deliveryKey: string) {
    super(`notification ${deliveryKey} is being delivered by another invocation`);
    this.name = 'InProgressElsewhereError';
  }
}

/** Without a Lambda deadline (local mode), a claim is held this long: enough for any one delivery. */
export const LOCAL_LEASE_MS = 5 * 60_000;

/** Delivers a notification once per delivery key: claimed, delivered (resuming its journal), completed; or recognised as done. */
export async function deliverOnce(notification: QueuedNotification, deps: RecordDependencies, leaseMs: number): Promise<Delivered> {
  const { deliveryKey } = notification;
  const key = onceKey(notification);
  const log = { id: notification.id, deliveryKey, channel: notification.channel, source: notification.message.source };
  const claim = await deps.idempotency.claim(key, leaseMs, notification.receivedAt);
  if (claim.state === 'done') {
    count('deduplicated');
    logger.info('duplicate acknowledged', { ...log, messageIds: claim.result.messageIds });
    return { deliveryKey, ...claim.result, deduplicated: true };
  }
  if (claim.state === 'busy') throw new InProgressElsewhereError(key);
  try {
    const result = await deliverNotification(notification, deps);
    await deps.idempotency.complete(key, { spaceId: result.spaceId, messageIds: result.messageIds, receivedAt: notification.receivedAt });
    await deps.journal.forget(key);
    count('delivered');
    logger.info('delivered', { ...log, ...result });
    return { deliveryKey, spaceId: result.spaceId, messageIds: result.messageIds, deduplicated: false };
  } catch (error) {
    await deps.idempotency.release(key).catch((release: Error) => logger.warn('claim not released', { ...log, error: release }));
    throw error;
  }
}

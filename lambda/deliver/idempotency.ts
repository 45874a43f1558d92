/**
 * Exactly-once on the delivery key, with Powertools idempotency records: a notification is claimed (INPROGRESS, with
 * a lease that ends with the invocation), then completed (COMPLETED, with the message ids) or released on failure so
 * the next attempt can take it. A copy that arrives later — the sender's retry, an SQS redelivery — finds it
 * COMPLETED and is acknowledged without a post; a copy processed at the same time finds it INPROGRESS and waits.
 *
 * The persistence layer is used directly rather than through `makeIdempotent`, because a digest claims many
 * notifications before its one post, and must complete or release them together.
 */
import {
  IdempotencyConfig,
  IdempotencyItemAlreadyExistsError,
  IdempotencyItemNotFoundError,
  IdempotencyRecordStatus,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { BasePersistenceLayer, IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { QueuedNotification } from '../model/notification';

/**
 * The key a notification is delivered once under: the sender's delivery key within its channel, because the same
 * webhook sent to two channels' URLs is two deliveries, to two spaces.
 */
export function onceKey(notification: Pick<QueuedNotification, 'channel' | 'deliveryKey'>): string {
  return `${notification.channel}/${notification.deliveryKey}`;
}

/** What a completed delivery leaves behind, returned to any later copy of the same notification. */
export interface DeliveredRecord {
  readonly spaceId: string;
  readonly messageIds: string[];
  /** When the delivered notification was received (`QueuedNotification.receivedAt`); absent in older records. */
  readonly receivedAt?: string;
}

/**
 * A copy received this much later than the one delivered is the sender saying it again — Alertmanager's
 * repeat_interval, a daily job's unchanged text, a sender without a delivery id — not a retry: senders retry within
 * minutes to an hour (docs/senders.md). Records are kept for weeks so that a redrive finds them (`STATE_TTL_SECONDS`);
 * a redriven copy keeps its `receivedAt`, so it is still recognised, while the sender's next day is posted again.
 */
export const SENDER_REPEAT_WINDOW_MS = 24 * 60 * 60 * 1000;

/** Whether a copy received at `later` repeats the notification delivered from a copy received at `earlier`. */
function isRepeat(earlier: string | undefined, later: string): boolean {
  if (earlier === undefined) return false;
  return Date.parse(later) - Date.parse(earlier) > SENDER_REPEAT_WINDOW_MS;
}

export type Claim =
  | { readonly state: 'claimed' }
  | { readonly state: 'done'; readonly result: DeliveredRecord }
  /** Another invocation holds it right now; try again later. */
  | { readonly state: 'busy' };

/** Keeps keys independent of the function's (generated) name, so a redeploy does not forget what was delivered. */
const KEY_PREFIX = 'spaces-relay.deliver';

export class DeliveryIdempotency {
  /**
   * `expiresAfterSeconds`: how long a completed delivery is remembered (`STATE_TTL_SECONDS`), longer than any copy of
   * it can wait in the queues. Powertools writes it as the record's `expiration`, which it compares with the clock
   * itself and which is also the table's TTL attribute, so one value governs both.
   */
  constructor(
    private readonly persistence: BasePersistenceLayer,
    expiresAfterSeconds: number,
  ) {
    persistence.configure({
      config: new IdempotencyConfig({ eventKeyJmesPath: 'deliveryKey', expiresAfterSeconds, throwOnNoIdempotencyKey: true }),
      keyPrefix: KEY_PREFIX,
    });
  }

  /**
   * Takes the notification received at `receivedAt` for `leaseMs` (the invocation's remaining time: if it dies, the
   * claim lapses with it), or says it is done already or busy elsewhere. A completed record of a copy received more
   * than `SENDER_REPEAT_WINDOW_MS` earlier is an earlier occurrence: it gives way, and this one is delivered.
   */
  async claim(key: string, leaseMs: number, receivedAt: string): Promise<Claim> {
    try {
      await this.persistence.saveInProgress({ deliveryKey: key }, leaseMs);
      return { state: 'claimed' };
    } catch (error) {
      if (!(error instanceof IdempotencyItemAlreadyExistsError)) throw error;
      const record = error.existingRecord ?? (await this.existing(key));
      if (!record) return this.claim(key, leaseMs, receivedAt);
      if (record.getStatus() !== IdempotencyRecordStatus.COMPLETED) return { state: 'busy' };
      const result = record.getResponse() as unknown as DeliveredRecord;
      if (!isRepeat(result.receivedAt, receivedAt)) return { state: 'done', result };
      await this.release(key);
      return this.claim(key, leaseMs, receivedAt);
    }
  }

  async complete(key: string, result: DeliveredRecord): Promise<void> {
    await this.persistence.saveSuccess({ deliveryKey: key }, { ...result });
  }

  /** Gives a claimed notification back after a failure, so that its next attempt is not turned away as busy. */
  async release(key: string): Promise<void> {
    await this.persistence.deleteRecord({ deliveryKey: key });
  }

  private async existing(key: string): Promise<IdempotencyRecord | undefined> {
    try {
      return await this.persistence.getRecord({ deliveryKey: key });
    } catch (error) {
      if (error instanceof IdempotencyItemNotFoundError) return undefined;
      throw error;
    }
  }
}

/** The deployed persistence: the `IDEMPOTENCY_TABLE` (partition key `id`, TTL on `expiration`). */
export function dynamoDbPersistence(tableName: string, client?: DynamoDBClient): BasePersistenceLayer {
  return new DynamoDBPersistenceLayer(client ? { tableName, awsSdkV3Client: client } : { tableName });
}

/** Idempotency records in this process's memory, with the same conditions as the DynamoDB layer: local mode and tests. */
export class MemoryPersistenceLayer extends BasePersistenceLayer {
  private readonly records = new Map<string, IdempotencyRecord>();

  protected async _getRecord(idempotencyKey: string): Promise<IdempotencyRecord> {
    const record = this.records.get(idempotencyKey);
    if (!record) throw new IdempotencyItemNotFoundError();
    return record;
  }

  protected async _putRecord(record: IdempotencyRecord): Promise<void> {
    const existing = this.records.get(record.idempotencyKey);
    // As DynamoDB's condition: absent, expired, or in progress past its lease.
    const lapsed =
      existing?.getStatus() === IdempotencyRecordStatus.INPROGRESS &&
      existing.inProgressExpiryTimestamp !== undefined &&
      existing.inProgressExpiryTimestamp < Date.now();
    if (existing && !existing.isExpired() && !lapsed) {
      throw new IdempotencyItemAlreadyExistsError(`already exists: ${record.idempotencyKey}`, existing);
    }
    this.records.set(record.idempotencyKey, record);
  }

  protected async _updateRecord(record: IdempotencyRecord): Promise<void> {
    this.records.set(record.idempotencyKey, record);
  }

  protected async _deleteRecord(record: IdempotencyRecord): Promise<void> {
    this.records.delete(record.idempotencyKey);
  }
}

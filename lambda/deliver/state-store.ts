/**
 * Small JSON documents that delivery keeps between attempts: per-notification progress, the message ids of firing
 * alerts, and short leases. Deployed, they are sibling items in the idempotency table (`IDEMPOTENCY_TABLE`: partition
 * key `id`, TTL attribute `expiration` — the layout Powertools idempotency uses), under prefixes of their own so they
 * never collide with the idempotency records. Locally and in tests, a Map.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { RenewalLease } from '../spaces/credentials';

export interface StateStore {
  get<T>(id: string): Promise<T | undefined>;
  /** Stores `value` under `id`, replacing what was there; it disappears after `ttlSeconds`. */
  put(id: string, value: unknown, ttlSeconds: number): Promise<void>;
  /** Stores `value` under `id` unless a live item is there (an expired one counts as gone); true if it stored it. */
  putIfAbsent(id: string, value: unknown, ttlSeconds: number): Promise<boolean>;
  delete(id: string): Promise<void>;
}

/** A store in this process's memory: local mode and tests. */
export class MemoryStateStore implements StateStore {
  private readonly items = new Map<string, { value: string; expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  async get<T>(id: string): Promise<T | undefined> {
    const item = this.items.get(id);
    if (!item || item.expiresAt <= this.now()) return undefined;
    // Stored as JSON so that a caller mutating what it read cannot change the stored state, as with DynamoDB.
    return JSON.parse(item.value) as T;
  }

  async put(id: string, value: unknown, ttlSeconds: number): Promise<void> {
    this.store(id, value, ttlSeconds);
  }

  async putIfAbsent(id: string, value: unknown, ttlSeconds: number): Promise<boolean> {
    // Checked and stored without an await in between: concurrent callers see each other, as with DynamoDB.
    const item = this.items.get(id);
    if (item && item.expiresAt > this.now()) return false;
    this.store(id, value, ttlSeconds);
    return true;
  }

  async delete(id: string): Promise<void> {
    this.items.delete(id);
  }

  private store(id: string, value: unknown, ttlSeconds: number): void {
    this.items.set(id, { value: JSON.stringify(value), expiresAt: this.now() + ttlSeconds * 1000 });
  }
}

/** Items `{id, value, expiration}` in the idempotency table. */
export class DynamoDbStateStore implements StateStore {
  private readonly client: DynamoDBDocumentClient;

  constructor(
    private readonly tableName: string,
    client: DynamoDBClient = new DynamoDBClient({}),
  ) {
    this.client = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async get<T>(id: string): Promise<T | undefined> {
    const result = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { id }, ConsistentRead: true }));
    const item = result.Item as { value?: T; expiration?: number } | undefined;
    // TTL deletion lags by up to days: an expired item is treated as gone.
    if (!item || (item.expiration !== undefined && item.expiration * 1000 <= Date.now())) return undefined;
    return item.value;
  }

  async put(id: string, value: unknown, ttlSeconds: number): Promise<void> {
    const expiration = Math.floor(Date.now() / 1000) + ttlSeconds;
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: { id, value, expiration } }));
  }

  async putIfAbsent(id: string, value: unknown, ttlSeconds: number): Promise<boolean> {
    const now = Math.floor(Date.now() / 1000);
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { id, value, expiration: now + ttlSeconds },
          ConditionExpression: 'attribute_not_exists(id) OR expiration <= :now',
          ExpressionAttributeValues: { ':now': now },
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  async delete(id: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: { id } }));
  }
}

/** A lease on the item `id`: one holder at a time among those sharing the store, until it is given back or expires. */
export function stateStoreLease(store: StateStore, id: string): RenewalLease {
  return {
    take: async (ttlMs) => {
      const taken = await store.putIfAbsent(id, { takenAt: new Date().toISOString() }, Math.ceil(ttlMs / 1000));
      return taken ? () => store.delete(id) : undefined;
    },
  };
}

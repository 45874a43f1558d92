/**
 * Small JSON documents that delivery keeps between attempts: per-notification progress and the message ids of firing
 * alerts. Deployed, they are sibling items in the idempotency table (`IDEMPOTENCY_TABLE`: partition key `id`, TTL
 * attribute `expiration` — the layout Powertools idempotency uses), under prefixes of their own so they never
 * collide with the idempotency records. Locally and in tests, a Map.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';

export interface StateStore {
  get<T>(id: string): Promise<T | undefined>;
  /** Stores `value` under `id`, replacing what was there; it disappears after `ttlSeconds`. */
  put(id: string, value: unknown, ttlSeconds: number): Promise<void>;
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
    this.items.set(id, { value: JSON.stringify(value), expiresAt: this.now() + ttlSeconds * 1000 });
  }

  async delete(id: string): Promise<void> {
    this.items.delete(id);
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

  async delete(id: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: { id } }));
  }
}

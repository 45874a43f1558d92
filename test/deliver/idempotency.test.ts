/** Claims on delivery keys: in memory, and on DynamoDB as moto_server serves it (the deployed table layout). */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { STATE_TTL_SECONDS } from '../../infra/limits';
import { DeliveryIdempotency, dynamoDbPersistence, MemoryPersistenceLayer } from '../../lambda/deliver/idempotency';
import { DynamoDbStateStore, MemoryStateStore, type StateStore } from '../../lambda/deliver/state-store';
import { createStateTable, type Moto, startMoto } from '../support/moto';

const LEASE_MS = 60_000;
const RECEIVED_AT = '2026-03-02T09:00:00.000Z';
/** `RECEIVED_AT` plus `hours`. */
const later = (hours: number): string => new Date(Date.parse(RECEIVED_AT) + hours * 3_600_000).toISOString();

function behavesAsIdempotency(make: () => DeliveryIdempotency): void {
  it('claims a new key once; a second claim is busy until completed, then done with the result', async () => {
    // Prepare
    const idempotency = make();
    const key = `alertmanager:${Math.random()}`;

    // Act
    const first = await idempotency.claim(key, LEASE_MS, RECEIVED_AT);
    const whileBusy = await idempotency.claim(key, LEASE_MS, RECEIVED_AT);
    await idempotency.complete(key, { spaceId: 'space-1', messageIds: ['m1', 'm2'], receivedAt: RECEIVED_AT });
    const afterwards = await idempotency.claim(key, LEASE_MS, RECEIVED_AT);

    // Assess
    expect(first).toEqual({ state: 'claimed' });
    expect(whileBusy).toEqual({ state: 'busy' });
    expect(afterwards).toEqual({ state: 'done', result: { spaceId: 'space-1', messageIds: ['m1', 'm2'], receivedAt: RECEIVED_AT } });
  });

  it('takes a copy received within a day of the delivered one as a retry, and one received later as the sender saying it again', async () => {
    // Prepare
    const idempotency = make();
    const key = `generic:${Math.random()}`;
    await idempotency.claim(key, LEASE_MS, RECEIVED_AT);
    await idempotency.complete(key, { spaceId: 'space-1', messageIds: ['m1'], receivedAt: RECEIVED_AT });

    // Act
    const retry = await idempotency.claim(key, LEASE_MS, later(23));
    const nextDay = await idempotency.claim(key, LEASE_MS, later(25));
    const whileNextDayIsDelivered = await idempotency.claim(key, LEASE_MS, later(25));

    // Assess
    expect(retry).toMatchObject({ state: 'done', result: { messageIds: ['m1'] } });
    expect(nextDay).toEqual({ state: 'claimed' });
    expect(whileNextDayIsDelivered).toEqual({ state: 'busy' });
  });

  it('lets a released key, or one whose lease lapsed, be claimed again', async () => {
    // Prepare
    const idempotency = make();
    const released = `generic:${Math.random()}`;
    const lapsed = `generic:${Math.random()}`;
    await idempotency.claim(released, LEASE_MS, RECEIVED_AT);
    await idempotency.claim(lapsed, 1, RECEIVED_AT);
    await new Promise((resolve) => setTimeout(resolve, 20));

    // Act
    await idempotency.release(released);
    const again = await idempotency.claim(released, LEASE_MS, RECEIVED_AT);
    const afterLapse = await idempotency.claim(lapsed, LEASE_MS, RECEIVED_AT);

    // Assess
    expect(again).toEqual({ state: 'claimed' });
    expect(afterLapse).toEqual({ state: 'claimed' });
  });
}

function behavesAsStateStore(make: () => StateStore): void {
  it('keeps a document by id until deleted', async () => {
    // Prepare
    const store = make();
    const id = `progress#${Math.random()}`;

    // Act
    await store.put(id, { parts: { 0: { messageId: 'm1' } } }, 3_600);
    const read = await store.get(id);
    await store.delete(id);

    // Assess
    expect(read).toEqual({ parts: { 0: { messageId: 'm1' } } });
    expect(await store.get(id)).toBeUndefined();
  });
}

describe('in memory', () => {
  behavesAsIdempotency(() => new DeliveryIdempotency(new MemoryPersistenceLayer(), STATE_TTL_SECONDS));
  behavesAsStateStore(() => new MemoryStateStore());

  it('treats an expired document as gone', async () => {
    // Prepare
    let now = 0;
    const store = new MemoryStateStore(() => now);
    await store.put('alert#1', { spaceId: 's' }, 10);

    // Act
    now = 10_001;

    // Assess
    expect(await store.get('alert#1')).toBeUndefined();
  });
});

describe('on DynamoDB (IDEMPOTENCY_TABLE: partition key id, TTL on expiration)', () => {
  let moto: Moto;
  let client: DynamoDBClient;
  const table = 'relay-idempotency';

  beforeAll(async () => {
    moto = await startMoto();
    client = new DynamoDBClient(moto.clientConfig);
    await createStateTable(client, table);
  }, 30_000);

  afterAll(async () => moto?.stop());

  behavesAsIdempotency(() => new DeliveryIdempotency(dynamoDbPersistence(table, client), STATE_TTL_SECONDS));
  behavesAsStateStore(() => new DynamoDbStateStore(table, client));
});

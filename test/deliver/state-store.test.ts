/** The state store's conditional write, on which leases rest: memory locally, the idempotency table on moto deployed. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbStateStore, MemoryStateStore, stateStoreLease, type StateStore } from '../../lambda/deliver/state-store';
import { createStateTable, type Moto, startMoto } from '../support/moto';

let moto: Moto;
let dynamoDb: DynamoDBClient;

beforeAll(async () => {
  moto = await startMoto();
  dynamoDb = new DynamoDBClient(moto.clientConfig);
  await createStateTable(dynamoDb, 'state');
}, 30_000);

afterAll(async () => {
  dynamoDb?.destroy();
  await moto?.stop();
});

describe.each([
  ['memory', () => new MemoryStateStore()],
  ['DynamoDB', () => new DynamoDbStateStore('state', dynamoDb)],
] as [string, () => StateStore][])('%s state store', (_name, storeOf) => {
  it('stores with putIfAbsent only where no live item is, an expired one counting as gone', async () => {
    // Prepare
    const store = storeOf();
    const id = `lease#${Math.random()}`;
    await store.put(`${id}-expired`, { holder: 'gone' }, 0);

    // Act
    const first = await store.putIfAbsent(id, { holder: 'a' }, 60);
    const second = await store.putIfAbsent(id, { holder: 'b' }, 60);
    const overExpired = await store.putIfAbsent(`${id}-expired`, { holder: 'c' }, 60);

    // Assess
    expect([first, second, overExpired]).toEqual([true, false, true]);
    expect(await store.get(id)).toEqual({ holder: 'a' });
    expect(await store.get(`${id}-expired`)).toEqual({ holder: 'c' });
  });

  it('gives a lease to one holder at a time, and again once it is given back', async () => {
    // Prepare
    const lease = stateStoreLease(storeOf(), `lease#${Math.random()}`);

    // Act
    const [a, b] = await Promise.all([lease.take(30_000), lease.take(30_000)]);
    await (a ?? b)!();
    const again = await lease.take(30_000);

    // Assess
    expect([a, b].filter(Boolean)).toHaveLength(1);
    expect(again).toBeDefined();
  });
});

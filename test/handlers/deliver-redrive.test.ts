/**
 * A redrive days after the first attempt, through the deployed wiring: the deliver handler with its environment as
 * the stack sets it, DynamoDB, SQS and Secrets Manager served by moto_server, Spaces by the contract-checking server.
 * Only `Date` is moved forward (to where a dead letter redriven on its 13th day would find it); timers and I/O stay
 * real.
 */
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { DELIVER_TIMEOUT_SECONDS, FUNCTION_MEMORY_MB, STATE_TTL_SECONDS } from '../../infra/limits';
import { lambdaContext, sqsRecord } from '../../lambda/local/lambda-shapes';
import { chatMessage } from '../../lambda/model/message';
import { renderMessage } from '../../lambda/render/body-text';
import { type Moto, startMoto } from '../support/moto';
import { deliverOnMoto } from './support/deliver-on-moto';
import { DAY_MS, FIRST_DAY, longAlertGroup, onlyDateMoves, partsOf, queuedBody } from '../support/redrive';
import { startSpacesServer, type RunningStandIn } from '../support/spaces-server';

type Handler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/** One SQS record (a first receive) with `body`, as the event source hands it to deliver. */
function event(messageId: string, body: string): SQSEvent {
  const now = Date.now();
  return { Records: [sqsRecord({ messageId, receiptHandle: messageId, body, receiveCount: 1, sentAt: now, firstReceivedAt: now })] };
}

const invoke = (handler: Handler, messageId: string, body: string) =>
  handler(event(messageId, body), lambdaContext('deliver', DELIVER_TIMEOUT_SECONDS, FUNCTION_MEMORY_MB));

describe('a notification redriven from the dead-letter queue 13 days later', () => {
  let moto: Moto;
  let spaces: RunningStandIn;
  let dynamoDb: DynamoDBClient;
  let sqs: SQSClient;
  let dlqUrl: string;
  let handler: Handler;
  /** While set, Spaces refuses every post after the first (a space that went read-only half-way). */
  let refuseLaterPosts = false;
  const saved = { ...process.env };

  beforeAll(async () => {
    moto = await startMoto();
    spaces = await startSpacesServer({
      fault: (operation) =>
        operation === 'post' && refuseLaterPosts && spaces.standIn.messages.length >= 1
          ? { status: 400, body: { message: 'space is read-only' } }
          : undefined,
    });
    dynamoDb = new DynamoDBClient(moto.clientConfig);
    sqs = new SQSClient(moto.clientConfig);
    ({ dlqUrl } = await deliverOnMoto(moto, spaces.url, { default: 'ops' }));
    ({ handler } = (await import('../../lambda/handlers/deliver')) as { handler: Handler });
  }, 30_000);

  beforeEach(() => {
    onlyDateMoves();
    spaces.standIn.messages.length = 0;
    refuseLaterPosts = false;
  });

  afterEach(() => jest.useRealTimers());

  afterAll(async () => {
    process.env = saved;
    sqs?.destroy();
    dynamoDb?.destroy();
    await spaces?.close();
    await moto?.stop();
  });

  /** Every item in the table, by id, with its expiration (epoch seconds). */
  async function items(): Promise<Map<string, number>> {
    const { Items = [] } = await dynamoDb.send(new ScanCommand({ TableName: 'idempotency' }));
    return new Map(Items.map((item) => [item.id!.S!, Number(item.expiration!.N)]));
  }

  /** The items `act` wrote: idempotency records (`spaces-relay.deliver#<hash>`) and progress (`progress#<key>`). */
  async function written(act: () => Promise<unknown>): Promise<{ id: string; expiration: number }[]> {
    const before = await items();
    await act();
    return [...(await items())].filter(([id, expiration]) => before.get(id) !== expiration).map(([id, expiration]) => ({ id, expiration }));
  }

  /** Whether an expiration is `STATE_TTL_SECONDS` after the first day (give or take the seconds the test took). */
  const keptForStateTtl = (expiration: number) =>
    expiration >= FIRST_DAY / 1000 + STATE_TTL_SECONDS && expiration < FIRST_DAY / 1000 + STATE_TTL_SECONDS + 60;

  it('is acknowledged without a post when it was delivered in full', async () => {
    // Prepare
    const body = queuedBody(chatMessage({ source: 'generic', status: 'info', title: 'Deploy', summary: 'v2 is live' }), 'k-deploy');
    let first: SQSBatchResponse | undefined;
    const records = await written(async () => (first = await invoke(handler, 'm-1', body)));

    // Act
    jest.setSystemTime(FIRST_DAY + 13 * DAY_MS);
    const redriven = await invoke(handler, 'm-1-redriven', body);

    // Assess
    expect([first, redriven]).toEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }]);
    expect(spaces.standIn.messages.map((m) => m.spaceId)).toEqual(['ops']);
    // Powertools compares the record's own expiry with the clock, and the table's TTL attribute is the same value.
    expect(records).toEqual([{ id: expect.stringMatching(/^spaces-relay\.deliver#/), expiration: expect.any(Number) }]);
    expect(keptForStateTtl(records[0]!.expiration)).toBe(true);
  });

  it('posts only the parts that were not posted when it was dead-lettered half-way', async () => {
    // Prepare: the first part goes out, the second is refused, and the notification is dead-lettered
    const group = longAlertGroup('DiskFilling');
    refuseLaterPosts = true;
    const progress = await written(() => invoke(handler, 'm-2', queuedBody(group, 'k-disk')));
    const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }));
    refuseLaterPosts = false;

    // Act: the cause fixed, the dead letter is redriven on its 13th day
    jest.setSystemTime(FIRST_DAY + 13 * DAY_MS);
    const redriven = await invoke(handler, 'm-2-redriven', dead.Messages![0]!.Body!);

    // Assess
    expect(dead.Messages).toHaveLength(1);
    expect(dead.Messages![0]!.MessageAttributes?.['failure-reason']?.StringValue).toMatch(/HTTP 400/);
    expect(redriven).toEqual({ batchItemFailures: [] });
    // Each part once, in order: the first from the first day, the others from the redrive.
    expect(renderMessage(group)).toHaveLength(3);
    expect(partsOf(spaces.standIn.messages)).toEqual(['1/3', '2/3', '3/3']);
    expect(progress).toEqual([{ id: 'progress#default/k-disk', expiration: expect.any(Number) }]);
    expect(keptForStateTtl(progress[0]!.expiration)).toBe(true);
  });
});

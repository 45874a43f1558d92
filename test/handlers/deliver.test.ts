/**
 * The deployed wiring, end to end without AWS: the deliver handler on an SQS event, with DynamoDB, SQS and Secrets
 * Manager served by moto_server and Spaces by the stand-in.
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent, SQSBatchResponse } from 'aws-lambda';
import { STATE_TTL_SECONDS } from '../../infra/limits';
import { chatMessage } from '../../lambda/model/message';
import { notificationsFor } from '../../lambda/model/notification';
import { startMoto, type Moto } from '../support/moto';
import { startSpacesServer, TEST_TOKEN, type RunningStandIn } from '../support/spaces-server';

const record = (messageId: string, body: string) => ({
  messageId,
  receiptHandle: messageId,
  body,
  attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'x', ApproximateFirstReceiveTimestamp: '0' },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:deliveries',
  awsRegion: 'us-east-1',
});

const context = {
  functionName: 'deliver',
  functionVersion: '1',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:deliver',
  memoryLimitInMB: '256',
  awsRequestId: 'request-1',
  logGroupName: 'group',
  logStreamName: 'stream',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 60_000,
} as unknown as Context;

function queued(channel: string, text: string, deliveryKey: string): string {
  const [notification] = notificationsFor([chatMessage({ source: 'generic', status: 'info', title: 'Deploy', summary: text })], {
    id: deliveryKey,
    deliveryKey,
    receivedAt: new Date().toISOString(),
    channel,
  });
  return JSON.stringify(notification);
}

describe('deliver handler', () => {
  let moto: Moto;
  let spaces: RunningStandIn;
  let dlqUrl: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    moto = await startMoto();
    spaces = await startSpacesServer({ fault: (op, req) => (op === 'post' && req.url?.includes('locked') ? { status: 403 } : undefined) });
    await new DynamoDBClient(moto.clientConfig).send(
      new CreateTableCommand({
        TableName: 'idempotency',
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await new SecretsManagerClient(moto.clientConfig).send(new CreateSecretCommand({ Name: 'spaces-token', SecretString: TEST_TOKEN }));
    dlqUrl = (await new SQSClient(moto.clientConfig).send(new CreateQueueCommand({ QueueName: 'relay-dlq' }))).QueueUrl!;
    const queueUrl = (await new SQSClient(moto.clientConfig).send(new CreateQueueCommand({ QueueName: 'relay-queue' }))).QueueUrl!;
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      SPACES_API_URL: spaces.url,
      SPACES_TOKEN_SECRET_ID: 'spaces-token',
      CHANNELS: JSON.stringify({ default: 'ops', locked: 'locked' }),
      IDEMPOTENCY_TABLE: 'idempotency',
      STATE_TTL_SECONDS: String(STATE_TTL_SECONDS),
      DLQ_URL: dlqUrl,
      QUEUE_URL: queueUrl,
    });
  }, 30_000);

  afterAll(async () => {
    process.env = saved;
    await spaces?.close();
    await moto?.stop();
  });

  it('posts once per delivery key, dead-letters permanent failures with their reason, and fails no record', async () => {
    // Prepare
    const { handler } = (await import('../../lambda/handlers/deliver')) as { handler: (e: SQSEvent, c: Context) => Promise<SQSBatchResponse> };
    const event = (ids: string[]): SQSEvent => ({
      Records: ids.map((id) =>
        record(id, id === 'locked' ? queued('locked', 'for a space we are not in', 'k-locked') : id === 'garbage' ? '{"v": 1, "deliveryKey": ""}' : queued('default', 'v2 is live', 'k-deploy')),
      ),
    });

    // Act
    const first = await handler(event(['a', 'a-again', 'locked', 'garbage']), context);
    const redelivered = await handler(event(['a']), context);

    // Assess
    expect(first).toEqual({ batchItemFailures: [] });
    expect(redelivered).toEqual({ batchItemFailures: [] });
    expect(spaces.standIn.messages.map((m) => m.spaceId)).toEqual(['ops']);
    const dead = await new SQSClient(moto.clientConfig).send(
      new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }),
    );
    const reasons = (dead.Messages ?? []).map((m) => m.MessageAttributes?.['failure-reason']?.StringValue).sort();
    expect(reasons).toEqual(['Spaces post failed: HTTP 403 — injected 403', expect.stringMatching(/^queued notification is malformed: id: /)]);
  }, 30_000);
});

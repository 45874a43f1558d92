import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { startSpacesServer, TEST_TOKEN, type RunningStandIn } from '../support/spaces-server';

const secrets = mockClient(SecretsManagerClient);
const context = { functionName: 'deliver', awsRequestId: 'req-2', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;
type Handler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

const notification = (title: string, channel = 'default') => ({
  v: 1,
  id: `id-${title}`,
  deliveryKey: `generic:${title}`,
  receivedAt: '2026-01-01T00:00:00Z',
  channel,
  message: { source: 'generic', status: 'failure', title, fields: [], links: [], items: [], attachments: [] },
});

const record = (messageId: string, body: unknown) => ({
  messageId,
  receiptHandle: 'r',
  body: typeof body === 'string' ? body : JSON.stringify(body),
  attributes: {} as never,
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:relay-queue',
  awsRegion: 'eu-west-1',
});

describe('deliver handler', () => {
  let spaces: RunningStandIn;
  let handler: Handler;

  beforeAll(async () => {
    spaces = await startSpacesServer();
    process.env.SPACES_API_URL = spaces.url;
    process.env.SPACES_TOKEN_SECRET_ID = 'team-a/spaces-token';
    process.env.CHANNELS = JSON.stringify({ default: 'space-1', ops: 'space-2' });
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ scheme: 'bearer', token: TEST_TOKEN }) });
    ({ handler } = (await import('../../lambda/handlers/deliver')) as unknown as { handler: Handler });
  });

  afterAll(() => spaces.close());

  it('posts each record and reports only the failed ones', async () => {
    const event: SQSEvent = {
      Records: [
        record('ok-1', notification('first')),
        record('bad-1', '{"v": 1, "deliveryKey": "x"}'),
        record('ok-2', notification('second', 'ops')),
        record('bad-2', notification('nowhere', 'unknown-channel')),
      ],
    };

    const response = await handler(event, context);

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'bad-1' }, { itemIdentifier: 'bad-2' }]);
    expect(spaces.standIn.messages.map((m) => [m.spaceId, m.bodyText.includes('❌ FAILED')])).toEqual([
      ['space-1', true],
      ['space-2', true],
    ]);
    // Sequential processing keeps the queue's order.
    expect(spaces.standIn.messages[0]!.bodyText).toContain('first');
  });
});

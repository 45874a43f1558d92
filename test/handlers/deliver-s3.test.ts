/** Deliver's handler takes a direct S3 notification (S3 → Lambda) as well as an SQS batch. */
import type { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, S3Event, SQSEvent } from 'aws-lambda';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { STATE_TTL_SECONDS } from '../../infra/limits';
import { fixtureJson } from '../support/fixtures';

// The handler is loaded in an isolated module registry (it reads its environment when loaded), so the SQS client
// class it uses is that registry's: the mock is made there, each time a handler is loaded.
let sqs: AwsClientStub<SQSClient>;
let SendMessage: typeof SendMessageCommand;
const DLQ_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/relay-dlq';

/** What was sent to the dead-letter queue: each body with its recorded reason. */
const deadLettered = () =>
  sqs.commandCalls(SendMessage).map((call) => ({
    queue: call.args[0].input.QueueUrl,
    reason: call.args[0].input.MessageAttributes?.['failure-reason']?.StringValue,
  }));

const context = { functionName: 'deliver', awsRequestId: 'r1' } as Context;

function loadHandler(): (event: SQSEvent | S3Event, context: Context) => Promise<unknown> {
  process.env.SPACES_TOKEN_SECRET_ID = 'spaces-token';
  process.env.CHANNELS = '{"default":"space-1"}';
  process.env.S3_BUCKETS = '[{"name":"wired-bucket"}]';
  process.env.IDEMPOTENCY_TABLE = 'relay-idempotency';
  process.env.STATE_TTL_SECONDS = String(STATE_TTL_SECONDS);
  process.env.DLQ_URL = DLQ_URL;
  process.env.QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/relay-queue';
  let handler: (event: SQSEvent | S3Event, context: Context) => Promise<unknown>;
  jest.isolateModules(() => {
    const isolated = require('@aws-sdk/client-sqs') as { SQSClient: typeof SQSClient; SendMessageCommand: typeof SendMessageCommand };
    sqs = mockClient(isolated.SQSClient);
    SendMessage = isolated.SendMessageCommand;
    sqs.on(SendMessage).resolves({ MessageId: 'dlq-1' });
    // eslint-style require: the handler reads its configuration when loaded, after the environment is set.
    ({ handler } = require('../../lambda/handlers/deliver') as { handler: typeof handler });
  });
  return handler!;
}

afterEach(() => {
  delete process.env.S3_BUCKETS;
});

it('acknowledges a direct S3 notification of a bucket it does not post (no Spaces call needed)', async () => {
  const handler = loadHandler();

  await expect(handler(fixtureJson('s3', 'lambda_s3_put_aws_docs.json'), context)).resolves.toBeUndefined();
});

it('acknowledges a direct EventBridge Object Created event of a bucket it does not post', async () => {
  const handler = loadHandler();

  await expect(handler(fixtureJson('s3', 'eventbridge_object_created.json'), context)).resolves.toBeUndefined();
});

it('acknowledges a direct s3:TestEvent', async () => {
  const handler = loadHandler();

  await expect(handler(fixtureJson('s3', 's3_test_event_aws_docs.json'), context)).resolves.toBeUndefined();
});

it('dead-letters a direct event it cannot read, with the reason (no retry can fix it)', async () => {
  const handler = loadHandler();
  const broken = { Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'wired-bucket' } } }] };

  await expect(handler(broken as never, context)).resolves.toBeUndefined();
  expect(deadLettered()).toEqual([{ queue: DLQ_URL, reason: expect.stringMatching(/invalid s3 event: Records\.0\.s3\.object/) }]);
});

it('throws on a direct event whose dead-lettering fails, so Lambda retries it', async () => {
  const handler = loadHandler();
  sqs.on(SendMessage).rejects(new Error('SQS unavailable'));
  const broken = { Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'wired-bucket' } } }] };

  await expect(handler(broken as never, context)).rejects.toThrow(/could not dead-letter: SQS unavailable/);
});

it('redacts what it throws: Lambda logs a thrown error past the logger', async () => {
  const handler = loadHandler();
  sqs.on(SendMessage).rejects(new Error('denied for Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.c2VjcmV0'));
  const broken = { Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'wired-bucket' } } }] };

  const thrown = (await handler(broken as never, context).catch((error: Error) => error)) as Error;

  expect(thrown.message).toBe('could not dead-letter: denied for Authorization: Bearer [redacted]');
  expect(thrown.stack).not.toContain('eyJhbGciOiJIUzI1NiJ9');
});

it('still processes SQS batches, dead-lettering the record nothing recognises', async () => {
  const handler = loadHandler();
  const event = fixtureJson('s3', 'sqs_wrapped_s3_event.json');
  event.Records.push({ ...event.Records[0], messageId: 'broken', body: '{"neither":"s3 nor anything"}' });

  await expect(handler(event, context)).resolves.toEqual({ batchItemFailures: [] });
  expect(deadLettered()).toEqual([{ queue: DLQ_URL, reason: expect.stringContaining('no source recognises this event') }]);
});

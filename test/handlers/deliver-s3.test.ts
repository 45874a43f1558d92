/** Deliver's handler takes a direct S3 notification (S3 → Lambda) as well as an SQS batch. */
import type { Context, S3Event, SQSEvent } from 'aws-lambda';
import { fixtureJson } from '../support/fixtures';

const context = { functionName: 'deliver', awsRequestId: 'r1' } as Context;

function loadHandler(): (event: SQSEvent | S3Event, context: Context) => Promise<unknown> {
  process.env.SPACES_TOKEN_SECRET_ID = 'spaces-token';
  process.env.CHANNELS = '{"default":"space-1"}';
  process.env.S3_BUCKETS = '[{"name":"wired-bucket"}]';
  let handler: (event: SQSEvent | S3Event, context: Context) => Promise<unknown>;
  jest.isolateModules(() => {
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

it('throws on a direct event it cannot read, so Lambda retries it and then hands it to the failure destination', async () => {
  const handler = loadHandler();
  const broken = { Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'wired-bucket' } } }] };

  await expect(handler(broken as never, context)).rejects.toThrow(/invalid s3 event: Records\.0\.s3\.object/);
});

it('still processes SQS batches, reporting the records that failed', async () => {
  const handler = loadHandler();
  const event = fixtureJson('s3', 'sqs_wrapped_s3_event.json');
  event.Records.push({ ...event.Records[0], messageId: 'broken', body: '{"neither":"s3 nor anything"}' });

  await expect(handler(event, context)).resolves.toEqual({ batchItemFailures: [{ itemIdentifier: 'broken' }] });
});

/**
 * The deployed wiring, end to end without AWS: the deliver handler on an SQS event, with DynamoDB, SQS and Secrets
 * Manager served by moto_server and Spaces by the stand-in.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent, SQSBatchResponse } from 'aws-lambda';
import { STATE_TTL_SECONDS } from '../../infra/limits';
import { awsDeliverPlatform, deliverDependencies } from '../../lambda/deliver/dependencies';
import type * as Dependencies from '../../lambda/deliver/dependencies';
import { createDeliverHandler } from '../../lambda/deliver/handler';
import type * as Handler from '../../lambda/deliver/handler';
import type { StandInOperation } from '../../lambda/local/spaces-stand-in';
import { chatMessage } from '../../lambda/model/message';
import { notificationsFor } from '../../lambda/model/notification';
import { readDeliverConfig } from '../../lambda/runtime/config';
import { countTotals } from '../../lambda/runtime/metrics';
import { secretsManagerTokenSecret, spacesCredentials } from '../../lambda/spaces/credentials';
import { captured, loadVerbose, logRecords } from '../support/logs';
import { createStateTable, startMoto, type Moto } from '../support/moto';
import { deliverOnMoto } from './support/deliver-on-moto';
import { grantSecret, startSpacesServer, TEST_GRANT, TEST_TOKEN, type RunningStandIn } from '../support/spaces-server';

const record = (messageId: string, body: string, receiveCount = 1) => ({
  messageId,
  receiptHandle: messageId,
  body,
  attributes: { ApproximateReceiveCount: String(receiveCount), SentTimestamp: '0', SenderId: 'x', ApproximateFirstReceiveTimestamp: '0' },
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
  /** The call the stand-in refuses with a body that quotes the request's Authorization header. */
  let echo: { readonly operation: StandInOperation; readonly status: number } | undefined;
  const saved = { ...process.env };

  beforeAll(async () => {
    moto = await startMoto();
    spaces = await startSpacesServer({
      fault: (op, req) => {
        if (op === echo?.operation) return { status: echo.status, echoAuthorization: true };
        return op === 'post' && req.url?.includes('locked') ? { status: 403 } : undefined;
      },
    });
    ({ dlqUrl } = await deliverOnMoto(moto, spaces.url, { default: 'ops', locked: 'locked' }));
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

  it('keeps the token out of the dead letters and the log lines when Spaces echoes the Authorization header', async () => {
    // Prepare: the handler as the entry point builds it, with a verbose logger of its own, and a DLQ of its own
    const sqs = new SQSClient(moto.clientConfig);
    const echoDlq = (await sqs.send(new CreateQueueCommand({ QueueName: 'echo-dlq' }))).QueueUrl!;
    const modules = loadVerbose(() => ({
      ...(require('../../lambda/deliver/dependencies') as typeof Dependencies),
      ...(require('../../lambda/deliver/handler') as typeof Handler),
    }));
    const config = readDeliverConfig({ ...process.env, DLQ_URL: echoDlq, QUEUE_MAX_RECEIVES: '10' });
    const handler = modules.createDeliverHandler(modules.deliverDependencies(config, modules.awsDeliverPlatform(config))) as (
      e: SQSEvent,
      c: Context,
    ) => Promise<SQSBatchResponse>;
    const responses: SQSBatchResponse[] = [];

    // Act: a post refused for good, then the token refused even after it was read again, on the last receive
    const lines = await captured(async () => {
      echo = { operation: 'post', status: 403 };
      responses.push(await handler({ Records: [record('echo-403', queued('default', 'refused post', 'k-echo-403'))] }, context));
      echo = { operation: 'post', status: 401 };
      responses.push(await handler({ Records: [record('echo-401', queued('default', 'refused token', 'k-echo-401'), 10)] }, context));
      echo = undefined;
    });

    // Assess: both were echoed and dead-lettered, and the token is in neither the reasons nor the log
    expect(responses).toEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }]);
    const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl: echoDlq, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }));
    sqs.destroy();
    const reasons = (dead.Messages ?? []).map((m) => m.MessageAttributes?.['failure-reason']?.StringValue ?? '').sort();
    expect(reasons).toEqual([
      expect.stringMatching(/^Spaces credential: Spaces refused it \(HTTP 401 — credential \[redacted\] .*\(gave up after 10 receives\)$/),
      expect.stringMatching(/^Spaces post failed: HTTP 403 — credential \[redacted\] is not allowed here/),
    ]);
    expect(logRecords(lines).map((r) => r.message)).toEqual(expect.arrayContaining(['dead-lettered', 'Spaces credential failed; the batch goes back to the queue']));
    for (const text of [...reasons, ...lines]) expect(text).not.toContain(TEST_TOKEN);
  }, 30_000);
});

describe('deliver handler with an OAuth grant in the token secret', () => {
  let moto: Moto;
  let spaces: RunningStandIn | undefined;
  let secrets: SecretsManagerClient;
  let sqs: SQSClient;
  let dlqUrl: string;
  let queueUrl: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    moto = await startMoto();
    // The platform's clients take the endpoint and dummy credentials from the environment, as in Lambda.
    Object.assign(process.env, { AWS_ENDPOINT_URL: moto.endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' });
    secrets = new SecretsManagerClient(moto.clientConfig);
    sqs = new SQSClient(moto.clientConfig);
    await createStateTable(new DynamoDBClient(moto.clientConfig), 'idempotency');
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'relay-queue' }))).QueueUrl!;
  }, 30_000);

  afterAll(async () => {
    process.env = saved;
    secrets?.destroy();
    sqs?.destroy();
    await moto?.stop();
  });

  afterEach(async () => {
    await spaces?.close();
    spaces = undefined;
  });

  /** The handler as the Lambda entry point builds it, for a grant on the stand-in stored in the secret `secretId`. */
  async function deployedHandler(secretId: string, test: string) {
    await secrets.send(new CreateSecretCommand({ Name: secretId, SecretString: grantSecret(spaces!.url) }));
    dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${test}-dlq` }))).QueueUrl!;
    const config = readDeliverConfig({
      AWS_ENDPOINT_URL: moto.endpoint,
      SPACES_API_URL: spaces!.url,
      SPACES_TOKEN_SECRET_ID: secretId,
      CHANNELS: JSON.stringify({ default: 'ops', ci: 'ci' }),
      IDEMPOTENCY_TABLE: 'idempotency',
      DLQ_URL: dlqUrl,
      QUEUE_URL: queueUrl,
      QUEUE_MAX_RECEIVES: '10',
      STATE_TTL_SECONDS: String(STATE_TTL_SECONDS),
    });
    return createDeliverHandler(deliverDependencies(config, awsDeliverPlatform(config))) as (e: SQSEvent, c: Context) => Promise<SQSBatchResponse>;
  }

  const batch = (test: string, receiveCount: number): SQSEvent => ({
    Records: ['default', 'ci', 'default'].map((channel, i) => record(`${test}-${i}`, queued(channel, `${test} ${i}`, `${test}-k${i}`), receiveCount)),
  });

  const deadLetters = async () =>
    (await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }))).Messages ?? [];

  it('renews an access token that expires in the middle of a batch, fails no record, and writes the rotated refresh token back', async () => {
    // Prepare: another invocation renewed half an hour ago; the issuer lets that access token expire after the first post.
    let posts = 0;
    spaces = await startSpacesServer({
      oauth: TEST_GRANT,
      fault: (op) => {
        if (op === 'post' && ++posts === 2) spaces!.standIn.expireAccessTokens();
        return undefined;
      },
    });
    const handler = await deployedHandler('spaces-grant-renewed', 'renewed');
    const halfAnHourAgo = () => Date.now() - 30 * 60_000;
    const earlier = { secret: secretsManagerTokenSecret('spaces-grant-renewed', secrets), lease: { take: async () => async () => undefined } };
    await spacesCredentials({ ...earlier, now: halfAnHourAgo }).get();

    // Act
    const response = await handler(batch('renewed', 1), context);

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(spaces.standIn.messages.map((m) => m.bodyText.match(/renewed \d/)?.[0])).toEqual(['renewed 0', 'renewed 1', 'renewed 2']);
    expect(spaces.standIn.calls.filter((c) => c.operation === 'token').map((c) => c.status)).toEqual([200, 200]);
    expect(spaces.standIn.calls.filter((c) => c.status === 401)).toHaveLength(1);
    const stored = JSON.parse((await secrets.send(new GetSecretValueCommand({ SecretId: 'spaces-grant-renewed' }))).SecretString!);
    expect(spaces.standIn.validRefreshTokens).toEqual([stored.oauth.refreshToken]);
    expect(stored.oauth.clientSecret).toBe(TEST_GRANT.clientSecret);
    expect(await deadLetters()).toEqual([]);
  });

  it('hands a whole batch back on a revoked grant, counts it, and dead-letters only on the last receive, saying why', async () => {
    // Prepare
    spaces = await startSpacesServer({ oauth: TEST_GRANT });
    spaces.standIn.revokeGrant();
    const handler = await deployedHandler('spaces-grant-revoked', 'revoked');
    const before = countTotals()['credentialFailures.grant-refused'] ?? 0;

    // Act
    const early = await handler(batch('revoked', 1), context);
    const kept = await deadLetters();
    const last = await handler(batch('revoked', 10), context);

    // Assess: every record back (not only those of the first record's space), one token call per batch.
    expect(early.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['revoked-0', 'revoked-1', 'revoked-2']);
    expect(kept).toEqual([]);
    expect((countTotals()['credentialFailures.grant-refused'] ?? 0) - before).toBe(2);
    expect(spaces.standIn.calls.map((c) => `${c.operation} ${c.status}`)).toEqual(['token 400', 'token 400']);
    expect(last).toEqual({ batchItemFailures: [] });
    const reasons = (await deadLetters()).map((m) => m.MessageAttributes?.['failure-reason']?.StringValue);
    expect(reasons).toHaveLength(3);
    for (const reason of reasons) {
      expect(reason).toMatch(/^(not tried: )?Spaces credential: the token endpoint .* refused the grant \(HTTP 400 invalid_grant\): .* \(gave up after 10 receives\)$/);
    }
    expect(spaces.standIn.messages).toEqual([]);
  });
});

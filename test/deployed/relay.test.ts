/**
 * The relay as it is deployed, without AWS: two teams synthesized by the CDK app with their functions bundled, each
 * stack's queues, table, secrets and buckets created in moto_server from its template, and each function's bundle run
 * in a process of its own with the template's environment, driven as Lambda drives it (HTTP API events into ingest,
 * the SQS event source into deliver). Spaces is the contract-checking stand-in on 127.0.0.1.
 *
 * The teams: `example` is `teams/example.json` exactly as it is in the repository, and `ops` a small team of our own.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChangeMessageVisibilityCommand, DeleteMessageBatchCommand, type Message } from '@aws-sdk/client-sqs';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SQSBatchResponse } from 'aws-lambda';
import type { QueuedNotification } from '../../lambda/model/notification';
import { fixtureBytes, fixtureSidecar } from '../support/fixtures';
import { startMoto, type Moto } from '../support/moto';
import { startSpacesServer, TEST_TOKEN, type RunningStandIn } from '../support/spaces-server';
import { awsSdkNodePath, type SdkNodePath } from './support/aws-sdk-node-path';
import { startDeployedRelay, type DeployedRelay } from './support/deployed-relay';
import { PROJECT_ROOT, synthesizeTeams, type Synthesis } from './support/synth';

/** Space ids have the shape of Spaces' own (24 hexadecimal characters), as the team config demands. */
const OPS_SPACE = '0000000000000000000000a1';
const BUILDS_SPACE = '0000000000000000000000b2';
const UPLOADS_SPACE = '0000000000000000000000c3';

/**
 * Our own team: a few channels, a watched bucket whose deletions are posted too, and the three kinds of sender
 * authentication between them.
 */
const OPS_CONFIG = {
  channels: { default: OPS_SPACE, builds: BUILDS_SPACE, uploads: UPLOADS_SPACE },
  tokenSecret: 'spaces-relay/ops/spaces-token',
  sources: ['github', 'alertmanager', 'generic'],
  sourceSettings: { s3: { objectRemoved: true } },
  s3Buckets: [{ name: 'ops-uploads', prefix: 'reports/', channel: 'uploads' }],
};
/** The bucket the ops team watches. */
const OPS_BUCKET = OPS_CONFIG.s3Buckets[0]!.name;
/** Where a team without a region of its own is deployed in these tests. */
const DEFAULT_REGION = 'eu-central-1';

/** The example team's config, read when the suite runs: the test follows the file. */
const exampleConfig = (): Record<string, unknown> =>
  JSON.parse(readFileSync(join(PROJECT_ROOT, 'teams', 'example.json'), 'utf8')) as Record<string, unknown>;

const bearer = (relay: DeployedRelay) => ({ authorization: `Bearer ${relay.inboundSecret}`, 'content-type': 'application/json' });

/** A generic sender's JSON webhook. */
const genericHook = (relay: DeployedRelay, text: string, path = '/hooks/generic', headers: Record<string, string> = {}) =>
  relay.send({ path, headers: { ...bearer(relay), ...headers }, body: JSON.stringify({ title: 'Deploy', text }) });

/** A GitHub delivery of a fixture, signed over its raw bytes with `secret` as GitHub signs it. */
function githubDelivery(relay: DeployedRelay, fixture: string, secret: string) {
  const body = fixtureBytes('github', fixture);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(fixtureSidecar('github', fixture).headers)) {
    // The fixture's signatures are over the documentation's secret; content-length is API Gateway's to set.
    if (!/^(x-hub-signature(-256)?|content-length)$/i.test(name)) headers[name.toLowerCase()] = value;
  }
  headers['x-hub-signature-256'] = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  // Sent base64-encoded, as API Gateway passes a body it takes as binary: the signature proves the bytes survived.
  return relay.send({ path: '/hooks/github', headers, body, base64: true });
}

/**
 * Takes everything queued off the queue (receive, then delete), parsed: ingest's notifications, unless the test says
 * what else it expects there (S3's events).
 */
async function takeQueued<T = QueuedNotification>(relay: DeployedRelay): Promise<T[]> {
  // Ingest answers once its messages are sent, and S3 (moto) before it answers the upload: no need to wait.
  const messages = await relay.deliveries.receive(10, 0);
  if (messages.length > 0) {
    const Entries = messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle! }));
    await relay.aws.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: relay.deliveries.queue.url, Entries }));
  }
  return messages.map((message) => JSON.parse(message.Body!) as T);
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
const ids = (messages: readonly Message[]): string[] => messages.map((message) => message.MessageId!).sort();

describe('the relay as deployed (synthesized bundles, template environment, moto)', () => {
  let synthesis: Synthesis | undefined;
  let moto: Moto | undefined;
  let sdk: SdkNodePath | undefined;
  let opsSpaces: RunningStandIn;
  let exampleSpaces: RunningStandIn;
  let ops: DeployedRelay;
  let example: DeployedRelay;
  /** While set, the ops team's Spaces answers 503 to every call. */
  let spacesDown = false;

  beforeAll(async () => {
    // The synth is the slow part (two `cdk synth` runs with bundling); moto and the Spaces servers start meanwhile.
    // Whatever started is kept for afterAll to stop, also when something else failed to start.
    const results = await Promise.allSettled([
      synthesizeTeams({ example: exampleConfig(), ops: OPS_CONFIG }).then((value) => (synthesis = value)),
      startMoto().then((value) => (moto = value)),
      startSpacesServer({ fault: () => (spacesDown ? { status: 503 } : undefined) }).then((value) => (opsSpaces = value)),
      startSpacesServer().then((value) => (exampleSpaces = value)),
    ]);
    for (const result of results) if (result.status === 'rejected') throw result.reason;
    sdk = awsSdkNodePath(PROJECT_ROOT);

    const surroundings = { moto: moto!, defaultRegion: DEFAULT_REGION, sdkNodeModules: sdk.nodeModules };
    ops = await startDeployedRelay(synthesis!.stacks.ops!, {
      ...surroundings,
      spaces: { url: opsSpaces.url, token: TEST_TOKEN },
    });
    example = await startDeployedRelay(synthesis!.stacks.example!, {
      ...surroundings,
      spaces: { url: exampleSpaces.url, token: TEST_TOKEN },
    });
  }, 150_000);

  afterAll(async () => {
    await Promise.all([ops?.stop(), example?.stop()]);
    await Promise.all([opsSpaces?.close(), exampleSpaces?.close(), moto?.stop()]);
    sdk?.dispose();
    synthesis?.dispose();
  });

  describe('team example (teams/example.json as it is)', () => {
    it('starts both functions with the environment the example config gives them', async () => {
      // Act
      const startup = { ingest: await example.ingest.started, deliver: await example.deliver.started };

      // Assess
      expect(startup).toEqual({ ingest: 'started', deliver: 'started' });
    });

    it('acknowledges the test event S3 sends to the queue when the stack adds a bucket notification, posting nothing', async () => {
      // Act
      const batch = await example.deliveries.deliverNext(10, 0);

      // Assess
      const events = batch.event.Records.map((record) => JSON.parse(record.body) as { Event?: string; Bucket?: string });
      expect(events.map((event) => [event.Event, event.Bucket]).sort()).toEqual(
        example.aws.buckets.map((bucket) => ['s3:TestEvent', bucket]).sort(),
      );
      expect(batch.response).toEqual({ batchItemFailures: [] });
      expect(exampleSpaces.standIn.messages).toEqual([]);
      expect(await example.deliveries.depth()).toBe(0);
    });

    it('hears of new objects in a watched bucket, and not of deletions, which it does not post', async () => {
      // Prepare: a bucket watched without prefix or suffix
      const watched = exampleConfig().s3Buckets as { name: string; prefix?: string; suffix?: string }[];
      const Bucket = watched.find((bucket) => bucket.prefix === undefined && bucket.suffix === undefined)!.name;

      // Act
      await example.aws.s3.send(new PutObjectCommand({ Bucket, Key: 'builds/app.zip', Body: 'zip' }));
      await example.aws.s3.send(new DeleteObjectCommand({ Bucket, Key: 'builds/app.zip' }));
      const queued = await takeQueued<{ Records?: { eventName: string }[] }>(example);

      // Assess (S3's test events aside, when this case runs alone)
      const announced = queued.flatMap((event) => event.Records ?? []);
      expect(announced.map((record) => record.eventName)).toEqual(['ObjectCreated:Put']);
    });
  });

  describe('team ops (a small team of our own)', () => {
    beforeAll(async () => {
      // Every case below needs both functions; a failed start is reported with its error right away.
      const startup = { ingest: await ops.ingest.started, deliver: await ops.deliver.started };
      if (startup.ingest !== 'started' || startup.deliver !== 'started') {
        throw new Error(`ops did not start: ${JSON.stringify(startup)}`);
      }
      // The test event S3 sent when the stack added the bucket's notification (see the example team's case).
      const setUp = await ops.deliveries.deliverNext(10, 0);
      if (setUp.response.batchItemFailures.length > 0 || opsSpaces.standIn.messages.length > 0) {
        throw new Error(`ops did not take S3's test event quietly: ${JSON.stringify(setUp.response)}`);
      }
    });

    afterEach(async () => {
      // Each case leaves the queue as it found it: empty.
      expect(await ops.deliveries.depth()).toBe(0);
    });

    describe('ingest', () => {
      // First: a request that matches nothing makes ingest read the secret again at most every 5 s, and this test
      // needs that read (the refusals below would spend it).
      it('accepts a new inbound secret at once after a rotation, and the previous one during its grace period', async () => {
        // Prepare
        const secrets = new SecretsManagerClient({ ...moto!.clientConfig, region: ops.aws.region });
        const SecretId = ops.environments.ingest.WEBHOOK_SECRET_ID!;
        const rotated = randomBytes(24).toString('hex');
        const withSecret = (secret: string) =>
          ops.send({ path: '/hooks/generic', headers: { ...bearer(ops), authorization: `Bearer ${secret}` }, body: '{"text":"rotated"}' });
        try {
          await secrets.send(new PutSecretValueCommand({ SecretId, SecretString: rotated }));

          // Act
          const answers = [await withSecret(rotated), await withSecret(ops.inboundSecret), await withSecret('not-the-secret')];

          // Assess
          expect(answers.map((answer) => answer.statusCode)).toEqual([202, 202, 401]);
          expect(await takeQueued(ops)).toHaveLength(2);
        } finally {
          // The value the other tests send becomes the current one again.
          await secrets.send(new PutSecretValueCommand({ SecretId, SecretString: ops.inboundSecret }));
          secrets.destroy();
        }
      });

      it('answers a generic webhook with 202 and queues its notification', async () => {
        // Act
        const answer = await genericHook(ops, 'v2 is live');

        // Assess
        expect(answer).toEqual({ statusCode: 202, body: { id: expect.any(String), queued: 1 } });
        const [queued, ...more] = await takeQueued(ops);
        expect(more).toEqual([]);
        expect(queued).toMatchObject({
          v: 1,
          id: answer.body.id,
          channel: 'default',
          message: { source: 'generic', summary: 'v2 is live' },
        });
      });

      it('answers an Alertmanager group, authenticated with Basic auth, with 202 and queues it', async () => {
        // Prepare
        const credentials = Buffer.from(`alertmanager:${ops.inboundSecret}`).toString('base64');

        // Act
        const answer = await ops.send({
          path: '/hooks/alertmanager',
          headers: {
            authorization: `Basic ${credentials}`,
            'content-type': 'application/json',
            'user-agent': 'Alertmanager/0.24.0',
          },
          body: fixtureBytes('alertmanager', 'firing_single_alert_capture.json'),
        });

        // Assess
        expect(answer.statusCode).toBe(202);
        expect(await takeQueued(ops)).toEqual([
          expect.objectContaining({
            channel: 'default',
            message: expect.objectContaining({ source: 'alertmanager', status: 'firing' }),
          }),
        ]);
      });

      it('refuses unauthenticated and wrongly signed requests with 401 and queues nothing', async () => {
        // Act
        const answers = await Promise.all([
          ops.send({ path: '/hooks/generic', headers: { 'content-type': 'application/json' }, body: '{"text":"hi"}' }),
          ops.send({
            path: '/hooks/generic',
            headers: { ...bearer(ops), authorization: 'Bearer not-the-secret' },
            body: '{"text":"hi"}',
          }),
          githubDelivery(ops, 'workflow_run_completed_success.json', "It's a Secret to Everybody"),
        ]);

        // Assess
        expect(answers.map((answer) => answer.statusCode)).toEqual([401, 401, 401]);
        expect(await ops.deliveries.depth()).toBe(0);
      });

      it('refuses malformed JSON with 400 naming the problem, and queues nothing', async () => {
        // Act
        const answer = await ops.send({ path: '/hooks/generic', headers: bearer(ops), body: '{"text": "unterminated' });

        // Assess
        expect(answer).toEqual({
          statusCode: 400,
          body: expect.objectContaining({ message: 'body is not valid JSON', field: 'body' }),
        });
        expect(await ops.deliveries.depth()).toBe(0);
      });

      it('queues a webhook routed to /hooks/generic/<channel> with that channel', async () => {
        // Act
        const answer = await genericHook(ops, 'build 4821 passed', '/hooks/generic/builds');

        // Assess
        expect(answer.statusCode).toBe(202);
        expect(await takeQueued(ops)).toEqual([expect.objectContaining({ channel: 'builds' })]);
      });

      it('accepts a GitHub delivery signed with the inbound secret over its raw bytes', async () => {
        // Act
        const answer = await githubDelivery(ops, 'workflow_run_completed_success.json', ops.inboundSecret);

        // Assess
        expect(answer).toEqual({ statusCode: 202, body: { id: expect.any(String), queued: 1 } });
        expect(await takeQueued(ops)).toEqual([
          expect.objectContaining({ message: expect.objectContaining({ source: 'github' }) }),
        ]);
      });
    });

    describe('deliver', () => {
      it('posts what ingest queued to the spaces of its channels', async () => {
        // Prepare
        const before = opsSpaces.standIn.messages.length;
        await genericHook(ops, 'payments v2 is live');
        await genericHook(ops, 'build 4822 passed', '/hooks/generic/builds');
        await githubDelivery(ops, 'workflow_run_completed_success.json', ops.inboundSecret);

        // Act
        const batch = await ops.deliveries.deliverNext(3);

        // Assess
        expect(batch.event.Records).toHaveLength(3);
        expect(batch.response).toEqual({ batchItemFailures: [] });
        const posted = opsSpaces.standIn.messages.slice(before);
        expect(posted.map((message) => message.spaceId).sort()).toEqual([BUILDS_SPACE, OPS_SPACE, OPS_SPACE].sort());
        expect(posted.find((message) => message.spaceId === BUILDS_SPACE)?.bodyText).toContain('build 4822 passed');
      });

      it('posts nothing new when the queue hands the same message over again', async () => {
        // Prepare: the first hand-over is delivered, but its delete is lost (as when the event source fails after
        // the function succeeded), so SQS offers the very same message again.
        const before = opsSpaces.standIn.messages.length;
        await genericHook(ops, 'delivered exactly once');
        const [message] = await ops.deliveries.receive(1);
        const first = await ops.deliver.invoke<SQSBatchResponse>(ops.deliveries.event([message!]));
        await ops.aws.sqs.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: ops.deliveries.queue.url,
            ReceiptHandle: message!.ReceiptHandle!,
            VisibilityTimeout: 0,
          }),
        );

        // Act
        const again = await ops.deliveries.deliverNext(1);

        // Assess
        expect(again.event.Records.map((record) => [record.messageId, record.attributes.ApproximateReceiveCount])).toEqual([
          [message!.MessageId, '2'],
        ]);
        expect([first, again.response]).toEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }]);
        expect(opsSpaces.standIn.messages.slice(before).map((posted) => posted.bodyText)).toEqual([
          expect.stringContaining('delivered exactly once'),
        ]);
      });

      it("posts a sender's retry (same Idempotency-Key) once", async () => {
        // Prepare
        const before = opsSpaces.standIn.messages.length;
        await genericHook(ops, 'retried by its sender', '/hooks/generic', { 'idempotency-key': 'deploy-77' });
        await genericHook(ops, 'retried by its sender', '/hooks/generic', { 'idempotency-key': 'deploy-77' });

        // Act
        const batch = await ops.deliveries.deliverNext(2);

        // Assess
        expect(batch.event.Records).toHaveLength(2);
        expect(batch.response).toEqual({ batchItemFailures: [] });
        expect(opsSpaces.standIn.messages.slice(before)).toHaveLength(1);
      });

      it('marks the firing message resolved when the Alertmanager group resolves', async () => {
        // Prepare
        const alertmanager = (fixture: string) =>
          ops.send({ path: '/hooks/alertmanager', headers: bearer(ops), body: fixtureBytes('alertmanager', fixture) });
        const before = opsSpaces.standIn.messages.length;
        await alertmanager('firing_single_alert_capture.json');
        await ops.deliveries.deliverNext(1);
        const [firing] = opsSpaces.standIn.messages.slice(before);

        // Act
        await alertmanager('resolved_three_alerts_capture.json');
        const batch = await ops.deliveries.deliverNext(1);

        // Assess
        expect(batch.response).toEqual({ batchItemFailures: [] });
        expect(firing).toMatchObject({ spaceId: OPS_SPACE, edits: 1 });
        expect(firing!.bodyText).toContain('RESOLVED');
        // The default resolve mode (edit-and-post) also posts a short notice for those following the space.
        const after = opsSpaces.standIn.messages.slice(before + 1);
        expect(after).toHaveLength(1);
        expect(after[0]!.bodyText).toContain('RESOLVED');
      });

      it('posts an object put in the watched bucket with the exact bytes attached', async () => {
        // Prepare
        const bytes = randomBytes(300_000);
        const key = 'reports/daily summary.bin';
        const before = opsSpaces.standIn.messages.length;

        // Act: S3 announces the upload on the queue through the notification the stack gave the bucket
        await ops.aws.s3.send(
          new PutObjectCommand({ Bucket: OPS_BUCKET, Key: key, Body: bytes, ContentType: 'application/octet-stream' }),
        );
        const batch = await ops.deliveries.deliverNext(1);

        // Assess
        expect(batch.response).toEqual({ batchItemFailures: [] });
        const posted = opsSpaces.standIn.messages.slice(before);
        expect(posted.map((message) => [message.spaceId, message.data.length])).toEqual([[UPLOADS_SPACE, 1]]);
        const file = opsSpaces.standIn.files.get(String(posted[0]!.data[0]!.fileId));
        expect({ size: file?.receivedSize, sha256: file?.sha256 }).toEqual({ size: bytes.length, sha256: sha256(bytes) });
      });

      it('posts a deletion from the watched bucket, as the team asked, without an attachment', async () => {
        // Prepare
        const key = 'reports/old summary.bin';
        await ops.aws.s3.send(new PutObjectCommand({ Bucket: OPS_BUCKET, Key: key, Body: 'old' }));
        await ops.deliveries.deliverNext(1);
        const before = opsSpaces.standIn.messages.length;

        // Act
        await ops.aws.s3.send(new DeleteObjectCommand({ Bucket: OPS_BUCKET, Key: key }));
        const batch = await ops.deliveries.deliverNext(1);

        // Assess
        expect(batch.response).toEqual({ batchItemFailures: [] });
        const posted = opsSpaces.standIn.messages.slice(before);
        expect(posted.map((message) => [message.spaceId, message.data.length])).toEqual([[UPLOADS_SPACE, 0]]);
        expect(posted[0]!.bodyText).toContain(`Deleted from ${OPS_BUCKET}`);
        expect(posted[0]!.bodyText).toContain('old summary.bin');
      });

      it('hands a whole batch back during a Spaces outage, and gets it again within two minutes', async () => {
        // Prepare
        const before = opsSpaces.standIn.messages.length;
        await genericHook(ops, 'queued during the outage, 1 of 2');
        await genericHook(ops, 'queued during the outage, 2 of 2');
        const received = await ops.deliveries.receive(2);
        // A received message stays hidden for the queue's visibility timeout, the template's 30 minutes: a return
        // within two minutes can only come from deliver shortening it.
        const visibilitySeconds = await ops.deliveries.visibilityTimeoutSeconds();
        const { VisibilityTimeout } = ops.stack.template.Resources[ops.deliveries.queue.logicalId]?.Properties ?? {};
        spacesDown = true;

        // Act
        const outage = await ops.deliveries.deliver(received).finally(() => (spacesDown = false));
        const handedBackAt = Date.now();
        const rightAway = await ops.deliveries.receive(10, 0);
        const back = await ops.deliveries.receive(2, 110);
        const elapsedSeconds = (Date.now() - handedBackAt) / 1000;
        const recovered = back.length > 0 ? await ops.deliveries.deliver(back) : undefined;

        // Assess
        expect(visibilitySeconds).toBe(VisibilityTimeout);
        expect(visibilitySeconds).toBeGreaterThan(120);
        expect(outage.response.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual(ids(received));
        expect(outage.deleted).toEqual([]);
        expect(rightAway).toEqual([]);
        expect(ids(back)).toEqual(ids(received));
        expect(back.map((message) => message.Attributes?.ApproximateReceiveCount)).toEqual(['2', '2']);
        expect(elapsedSeconds).toBeLessThan(120);
        expect(recovered?.response).toEqual({ batchItemFailures: [] });
        expect(opsSpaces.standIn.messages.slice(before)).toHaveLength(2);
      }, 180_000);
    });
  });
});

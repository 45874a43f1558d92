/**
 * One measured relay of an S3 object, in a process of its own (bundled like the Lambda, run with plain node), so its
 * peak RSS is the relay's alone. `BENCH_MODE=stream`: the real deliver path (S3 event → HeadObject → GetObject piped
 * into the upload PUT). `BENCH_MODE=naive`: the object read whole into memory, then PUT — the approach streaming replaces.
 * Prints `{ms, maxRssKb}` as JSON.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { DELIVER_TIMEOUT_SECONDS, FUNCTION_MEMORY_MB, STATE_TTL_SECONDS } from '../infra/limits';
import { createS3Client } from '../lambda/attachments/s3';
import { deliverDependencies } from '../lambda/deliver/dependencies';
import { createDeliverHandler } from '../lambda/deliver/handler';
import { MemoryPersistenceLayer } from '../lambda/deliver/idempotency';
import { MemoryStateStore } from '../lambda/deliver/state-store';
import { lambdaContext, sqsRecord } from '../lambda/local/lambda-shapes';
import { readDeliverSettings } from '../lambda/runtime/config';
import { SpacesClient } from '../lambda/spaces/client';
import { localTokenSecret, textCredentials } from '../lambda/spaces/credentials';

const { BENCH_MODE, BENCH_S3_ENDPOINT, BENCH_BUCKET, BENCH_KEY, BENCH_SIZE, BENCH_SPACES_URL, BENCH_SPACES_TOKEN } = process.env;
const size = Number(BENCH_SIZE);
const spaceId = 'bench-space';

function s3Event() {
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'us-east-1',
        eventTime: new Date().toISOString(),
        eventName: 'ObjectCreated:Put',
        s3: { bucket: { name: BENCH_BUCKET }, object: { key: BENCH_KEY, size, sequencer: '01' } },
      },
    ],
  };
}

async function main(): Promise<void> {
  const spaces = new SpacesClient({ baseUrl: BENCH_SPACES_URL!, credentials: textCredentials(BENCH_SPACES_TOKEN!) });
  const s3 = createS3Client(BENCH_S3_ENDPOINT);
  const started = performance.now();
  if (BENCH_MODE === 'stream') {
    // The deployed deliver handler, built by its composition root, with the object's event as the queue carries it.
    const settings = readDeliverSettings({
      SPACES_API_URL: BENCH_SPACES_URL,
      CHANNELS: JSON.stringify({ default: spaceId }),
      S3_BUCKETS: JSON.stringify([{ name: BENCH_BUCKET }]),
      STATE_TTL_SECONDS: String(STATE_TTL_SECONDS),
    });
    const deliver = createDeliverHandler(
      deliverDependencies(settings, {
        tokenSecret: localTokenSecret(BENCH_SPACES_TOKEN!),
        persistence: new MemoryPersistenceLayer(),
        store: new MemoryStateStore(),
        deadLetters: {
          send: async (_body, reason) => {
            throw new Error(`the relay dead-lettered the benchmark object: ${reason}`);
          },
        },
        visibility: { change: async () => undefined },
        s3,
      }),
    );
    const record = sqsRecord({ messageId: 'bench', receiptHandle: 'bench', body: JSON.stringify(s3Event()), receiveCount: 1, sentAt: Date.now(), firstReceivedAt: Date.now() });
    const response = await deliver({ Records: [record] }, lambdaContext('deliver', DELIVER_TIMEOUT_SECONDS, FUNCTION_MEMORY_MB));
    if (response?.batchItemFailures.length) throw new Error('deliver handed the benchmark object back');
  } else {
    const object = await s3.send(new GetObjectCommand({ Bucket: BENCH_BUCKET, Key: BENCH_KEY }));
    const bytes = await object.Body!.transformToByteArray();
    const body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const file = { contentType: 'application/octet-stream', size: body.length, open: async () => Readable.from([body]) };
    const [slot] = await spaces.getUploadUrls(spaceId, [file]);
    await spaces.upload(slot!, file);
    await spaces.postChat(spaceId, { bodyText: BENCH_KEY! });
  }
  const ms = performance.now() - started;
  process.stdout.write(JSON.stringify({ ms, maxRssKb: process.resourceUsage().maxRSS }));
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});

/**
 * The local relay (`npm start`) with S3 on moto_server: an S3 event posted to `/events` ends as a message in the
 * Spaces stand-in with the real object attached, byte for byte.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { startLocalRelay, type LocalRelay } from '../../lambda/local/server';
import { FAST_QUEUE } from '../support/relay';
import { s3Notification } from '../support/events';
import { fixtureJson } from '../support/fixtures';
import { halfTransparentPng } from '../support/images';
import { motoClient, startMoto, type Moto } from '../support/moto';

let moto: Moto;
let relay: LocalRelay;

async function postEvent(event: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${relay.url}/events`, { method: 'POST', body: JSON.stringify(event) });
  return { status: response.status, body: await response.json() };
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

beforeAll(async () => {
  moto = await startMoto();
  await moto.createBucket('uploads');
  await moto.createBucket('dumps');
  relay = await startLocalRelay({
    port: 0,
    settings: {
      CHANNELS: JSON.stringify({ default: 'space-1' }),
      S3_BUCKETS: JSON.stringify([{ name: 'uploads' }]),
      ATTACHMENT_S3_BUCKETS: 'dumps',
      ATTACHMENT_MAX_BYTES: String(5 * 1024 * 1024),
    },
    s3Client: motoClient(moto.endpoint),
    queue: FAST_QUEUE,
    tuning: { retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 } },
  });
});

afterAll(async () => {
  await relay?.close();
  await moto?.stop();
});

it('posts one message per object with the real objects attached: exact bytes, types from metadata or extension', async () => {
  // Prepare
  const pdf = randomBytes(300_000);
  const log = Buffer.from('line 1\nline 2\n');
  await moto.client.send(new PutObjectCommand({ Bucket: 'uploads', Key: 'reports/Q1 summary.pdf', Body: pdf, ContentType: 'application/pdf' }));
  await moto.client.send(new PutObjectCommand({ Bucket: 'uploads', Key: 'logs/build+1.log', Body: log }));

  // Act
  const answer = await postEvent(
    s3Notification([
      { bucket: 'uploads', key: 'reports/Q1+summary.pdf', size: pdf.length },
      { bucket: 'uploads', key: 'logs/build%2B1.log', size: log.length },
    ]),
  );

  // Assess
  expect(answer.status).toBe(200);
  expect(answer.body.records).toEqual([{ id: expect.any(String), outcome: 'handled' }]);
  const [first, second] = relay.standIn!.messages.slice(-2);
  expect(first!.bodyText).toContain('Q1 summary.pdf');
  expect(first!.data).toEqual([expect.objectContaining({ name: 'Q1 summary.pdf', fileType: 'document', providerFileType: 'application/pdf', fileSize: pdf.length })]);
  expect(second!.data).toEqual([expect.objectContaining({ name: 'build+1.log', providerFileType: 'text/plain', fileSize: log.length })]);
  const stored = relay.standIn!.files.get(String(first!.data[0]!.fileId))!;
  expect(stored.sha256).toBe(sha256(pdf));
  expect(relay.standIn!.files.get(String(second!.data[0]!.fileId))!.sha256).toBe(sha256(log));
});

it('links to an object over the limit instead of attaching it, and says why', async () => {
  await moto.client.send(new PutObjectCommand({ Bucket: 'uploads', Key: 'big.bin', Body: Buffer.alloc(6 * 1024 * 1024, 1) }));

  const answer = await postEvent(s3Notification([{ bucket: 'uploads', key: 'big.bin' }]));

  expect(answer.status).toBe(200);
  const message = relay.standIn!.messages.at(-1)!;
  expect(message.data).toEqual([]);
  expect(message.bodyText).toContain('larger than the 5.2 MB limit');
  expect(message.bodyText).toContain('href="https://s3.console.aws.amazon.com/s3/object/uploads?region=us-east-1&amp;prefix=big.bin"');
});

it('posts an empty object without an attachment, saying it is empty', async () => {
  await moto.client.send(new PutObjectCommand({ Bucket: 'uploads', Key: 'empty.txt', Body: Buffer.alloc(0) }));

  const answer = await postEvent(s3Notification([{ bucket: 'uploads', key: 'empty.txt', size: 0 }]));

  expect(answer.status).toBe(200);
  const message = relay.standIn!.messages.at(-1)!;
  expect(message.data).toEqual([]);
  expect(message.bodyText).toContain('empty.txt could not be attached: the object is empty (0 bytes)');
});

it('still posts the text when the object is gone, with a note', async () => {
  const answer = await postEvent(s3Notification([{ bucket: 'uploads', key: 'deleted-meanwhile.pdf', size: 10 }]));

  expect(answer.status).toBe(200);
  expect(relay.standIn!.messages.at(-1)!.bodyText).toContain('deleted-meanwhile.pdf could not be attached: s3://uploads/deleted-meanwhile.pdf does not exist');
});

it('acknowledges an event of an unlisted bucket without posting', async () => {
  const before = relay.standIn!.messages.length;

  const answer = await postEvent(s3Notification([{ bucket: 'not-wired', key: 'a.pdf', size: 10 }]));

  expect(answer).toEqual({ status: 200, body: { records: [{ id: expect.any(String), outcome: 'handled' }] } });
  expect(relay.standIn!.messages).toHaveLength(before);
});

it('attaches an S3 object an Alertmanager alert names, when its bucket is allowed; notes one that is not', async () => {
  // Prepare
  const dump = randomBytes(50_000);
  await moto.client.send(new PutObjectCommand({ Bucket: 'dumps', Key: 'api/heap-1.hprof', Body: dump }));
  const group = fixtureJson('alertmanager', 'firing_two_alerts_zulip.json');
  group.alerts[0].annotations.dump = 's3://dumps/api/heap-1.hprof';
  group.alerts[1].annotations.dump = 's3://secrets/keys.txt';

  // Act
  const response = await fetch(`${relay.url}/hooks/alertmanager`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(group) });
  await relay.queue.idle();

  // Assess
  expect(response.status).toBe(202);
  const message = relay.standIn!.messages.at(-1)!;
  expect(message.data).toEqual([expect.objectContaining({ name: 'heap-1.hprof', fileSize: dump.length, providerFileType: 'application/octet-stream' })]);
  expect(relay.standIn!.files.get(String(message.data[0]!.fileId))!.sha256).toBe(sha256(dump));
  expect(message.bodyText).toContain('keys.txt could not be attached: bucket secrets is not one the relay may read');
});

it('uploads a thumbnail with an image, in the same upload-URL call, and names it as thumbnailFile', async () => {
  const png = halfTransparentPng(1200, 600);
  await moto.client.send(new PutObjectCommand({ Bucket: 'uploads', Key: 'shots/panel.png', Body: png }));
  const uploadUrlCalls = relay.standIn!.calls.filter((c) => c.operation === 'getuploadurl').length;

  await postEvent(s3Notification([{ bucket: 'uploads', key: 'shots/panel.png', size: png.length }]));

  const message = relay.standIn!.messages.at(-1)!;
  expect(message.data).toEqual([expect.objectContaining({ name: 'panel.png', fileType: 'image', providerFileType: 'image/png', thumbnailFile: expect.any(String) })]);
  const thumbnail = relay.standIn!.files.get(String(message.data[0]!.thumbnailFile))!;
  expect(thumbnail).toMatchObject({ contentType: 'image/jpeg' });
  expect(thumbnail.receivedSize).toBeGreaterThan(0);
  expect(relay.standIn!.files.get(String(message.data[0]!.fileId))!.sha256).toBe(sha256(png));
  expect(relay.standIn!.calls.filter((c) => c.operation === 'getuploadurl')).toHaveLength(uploadUrlCalls + 1);
});

it('posts the text with a note when the storage host refuses the upload', async () => {
  // Prepare: a second relay whose Spaces stand-in fails every upload.
  await moto.client.send(new PutObjectCommand({ Bucket: 'uploads', Key: 'unlucky.pdf', Body: randomBytes(1000) }));
  const failing = await startLocalRelay({
    port: 0,
    settings: { CHANNELS: JSON.stringify({ default: 'space-1' }), S3_BUCKETS: JSON.stringify([{ name: 'uploads' }]) },
    s3Client: motoClient(moto.endpoint),
    queue: FAST_QUEUE,
    tuning: { retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 } },
    standInFault: (operation) => (operation === 'upload' ? { status: 503 } : undefined),
  });

  try {
    // Act
    const response = await fetch(`${failing.url}/events`, { method: 'POST', body: JSON.stringify(s3Notification([{ bucket: 'uploads', key: 'unlucky.pdf', size: 1000 }])) });

    // Assess
    expect(response.status).toBe(200);
    const message = failing.standIn!.messages.at(-1)!;
    expect(message.data).toEqual([]);
    expect(message.bodyText).toContain('unlucky.pdf could not be attached: Spaces upload failed: HTTP 503');
    expect(failing.standIn!.calls.filter((c) => c.operation === 'upload')).toHaveLength(2);
  } finally {
    await failing.close();
  }
});

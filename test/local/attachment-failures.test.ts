/**
 * Why a file is missing, said where people look: in the note of the posted message and in deliver's log. Each cause
 * goes through the local relay's deliver path: S3 on moto_server where moto can play it (a missing key, a missing
 * version, an object overwritten since the event, a delete marker), the S3 client mocked where it cannot (access
 * denied, a KMS key, throttling), and URL attachments (Grafana's panel image) from a local server.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { Readable } from 'node:stream';
import type { LocalRelay } from '../../lambda/local/server';
import { logger } from '../../lambda/runtime/logger';
import { readable, s3Notification, type NotifiedObject } from '../support/events';
import { hostileFileServer, IMAGE, type FileServer } from '../support/image-server';
import { motoClient, startMoto, type Moto } from '../support/moto';
import { sendHook, startTestRelay, WEBHOOK_TOKEN } from '../support/relay';

/** What deliver logged about files it could not attach: the reason of each. */
function loggedReasons(warn: jest.SpyInstance): string[] {
  return warn.mock.calls
    .filter(([message]) => message === 'attachment could not be opened' || message === 'attachment upload failed')
    .map(([, extra]) => (extra as { reason: string }).reason);
}

/** The text of the message the relay posted last. */
const lastPosted = (relay: LocalRelay): string => readable(relay.standIn!.messages.at(-1)!.bodyText);

async function postEvent(relay: LocalRelay, object: NotifiedObject): Promise<void> {
  const response = await fetch(`${relay.url}/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${WEBHOOK_TOKEN}` },
    body: JSON.stringify(s3Notification([object])),
  });
  expect(response.status).toBe(200);
}

let warn: jest.SpyInstance;
beforeEach(() => (warn = jest.spyOn(logger, 'warn')));
afterEach(() => warn.mockRestore());

describe('S3 objects, on moto_server', () => {
  let moto: Moto;
  let relay: LocalRelay;

  beforeAll(async () => {
    moto = await startMoto();
    await moto.createBucket('uploads');
    await moto.createBucket('versioned');
    await moto.client.send(new PutBucketVersioningCommand({ Bucket: 'versioned', VersioningConfiguration: { Status: 'Enabled' } }));
    relay = await startTestRelay({
      settings: { S3_BUCKETS: JSON.stringify([{ name: 'uploads' }, { name: 'versioned' }]) },
      s3Client: motoClient(moto.endpoint),
    });
  });
  afterAll(async () => {
    await relay?.close();
    await moto?.stop();
  });

  const put = (bucket: string, key: string, body: string) => moto.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));

  it('says the object does not exist when it was deleted before deliver read it', async () => {
    // Act
    await postEvent(relay, { bucket: 'uploads', key: 'gone.pdf', size: 10 });

    // Assess
    const reason = 's3://uploads/gone.pdf does not exist (any more)';
    expect(lastPosted(relay)).toContain(`gone.pdf could not be attached: ${reason}`);
    expect(loggedReasons(warn)).toEqual([reason]);
  });

  it('says the version the event named no longer exists', async () => {
    // Prepare: the event's version is deleted; a newer one stays.
    const { VersionId: first } = await put('versioned', 'report.pdf', 'first');
    await put('versioned', 'report.pdf', 'second');
    await moto.client.send(new DeleteObjectCommand({ Bucket: 'versioned', Key: 'report.pdf', VersionId: first }));

    // Act
    await postEvent(relay, { bucket: 'versioned', key: 'report.pdf', size: 5, versionId: first });

    // Assess
    const reason = `version ${first} of s3://versioned/report.pdf no longer exists: it was deleted after the event`;
    expect(lastPosted(relay)).toContain(`report.pdf could not be attached: ${reason}`);
    expect(loggedReasons(warn)).toEqual([reason]);
  });

  it('says the object was deleted when a delete marker hides it', async () => {
    // Prepare
    await put('versioned', 'notes.txt', 'notes');
    await moto.client.send(new DeleteObjectCommand({ Bucket: 'versioned', Key: 'notes.txt' }));

    // Act
    await postEvent(relay, { bucket: 'versioned', key: 'notes.txt', size: 5 });

    // Assess
    const reason = 's3://versioned/notes.txt was deleted after the event';
    expect(lastPosted(relay)).toContain(`notes.txt could not be attached: ${reason}`);
    expect(loggedReasons(warn)).toEqual([reason]);
  });

  it('does not attach an object overwritten since the event, and says so', async () => {
    // Prepare: the event announces the first upload; a second one replaced it.
    const { ETag } = await put('uploads', 'build.log', 'first build');
    await put('uploads', 'build.log', 'second build, a little longer');

    // Act
    await postEvent(relay, { bucket: 'uploads', key: 'build.log', size: 11, eTag: ETag!.replace(/"/g, '') });

    // Assess
    const reason = 's3://uploads/build.log changed since the event (its ETag is no longer the one the event reported): a newer upload replaced it';
    expect(lastPosted(relay)).toContain(`build.log could not be attached: ${reason}`);
    expect(relay.standIn!.messages.at(-1)!.data).toEqual([]);
    expect(loggedReasons(warn)).toEqual([reason]);
  });

  it('attaches the object the event announced when it is still that one', async () => {
    // Prepare
    const { ETag } = await put('uploads', 'same.log', 'unchanged');

    // Act
    await postEvent(relay, { bucket: 'uploads', key: 'same.log', size: 9, eTag: ETag!.replace(/"/g, '') });

    // Assess
    expect(relay.standIn!.messages.at(-1)!.data).toEqual([expect.objectContaining({ name: 'same.log', fileSize: 9 })]);
    expect(loggedReasons(warn)).toEqual([]);
  });
});

describe('S3 objects, with what moto cannot play mocked at the client', () => {
  const client = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  const s3 = mockClient(client);
  let relay: LocalRelay;

  beforeAll(async () => {
    relay = await startTestRelay({ settings: { S3_BUCKETS: JSON.stringify([{ name: 'uploads' }]) }, s3Client: client });
  });
  afterAll(async () => relay?.close());
  beforeEach(() => s3.reset());

  /** An S3 error as the SDK makes it: a HEAD answer has no body, so no S3 code; a GET answer has S3's code. */
  const s3Error = (status: number, code?: string, message = 'UnknownError') =>
    Object.assign(
      new S3ServiceException({ name: code ?? 'Unknown', $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message }),
      code ? { Code: code } : {},
    );

  const GOOD_HEAD = { ContentLength: 5, ContentType: 'application/pdf', ETag: '"e"' };

  it.each([
    ['access denied (HEAD 403)', 'denied.pdf', () => s3.on(HeadObjectCommand).rejects(s3Error(403)),
      'the relay may not read s3://uploads/denied.pdf (access denied): its role is not allowed this key, or the object no longer exists'],
    ['a KMS key the relay may not use (GET 403 naming kms:Decrypt)', 'kms.pdf',
      () => {
        s3.on(HeadObjectCommand).resolves(GOOD_HEAD);
        s3.on(GetObjectCommand).rejects(
          s3Error(403, 'AccessDenied', 'User: arn:aws:sts::123456789012:assumed-role/deliver/x is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:123456789012:key/1234'),
        );
      },
      "s3://uploads/kms.pdf is encrypted with a KMS key the relay may not use (AccessDenied): name the key as the bucket's kmsKeyArn in the team config, and let its key policy allow the relay"],
    ['a disabled KMS key (GET 400 KMS.DisabledException)', 'disabled-key.pdf',
      () => {
        s3.on(HeadObjectCommand).resolves(GOOD_HEAD);
        s3.on(GetObjectCommand).rejects(s3Error(400, 'KMS.DisabledException', 'arn:aws:kms:us-east-1:123456789012:key/1234 is disabled.'));
      },
      "s3://uploads/disabled-key.pdf is encrypted with a KMS key the relay may not use (KMS.DisabledException): name the key as the bucket's kmsKeyArn in the team config, and let its key policy allow the relay"],
    ['throttling (HEAD 503)', 'throttled-head.pdf', () => s3.on(HeadObjectCommand).rejects(s3Error(503)),
      'S3 asked the relay to slow down (HTTP 503): s3://uploads/throttled-head.pdf was not read this time'],
    ['throttling (GET 503 SlowDown)', 'throttled-get.pdf',
      () => {
        s3.on(HeadObjectCommand).resolves(GOOD_HEAD);
        s3.on(GetObjectCommand).rejects(s3Error(503, 'SlowDown', 'Please reduce your request rate.'));
      },
      'S3 asked the relay to slow down (SlowDown): s3://uploads/throttled-get.pdf was not read this time'],
  ])('names %s', async (_, key, arrange, reason) => {
    // Prepare
    arrange();

    // Act
    await postEvent(relay, { bucket: 'uploads', key, size: 5 });

    // Assess
    expect(lastPosted(relay)).toContain(`${key} could not be attached: ${reason}`);
    expect(loggedReasons(warn)).toEqual([reason]);
  });

  it('still attaches what S3 serves (the mock is wired to the relay)', async () => {
    s3.on(HeadObjectCommand).resolves(GOOD_HEAD);
    s3.on(GetObjectCommand).resolves({ Body: Readable.from([Buffer.from('%PDF-')]) as never });

    await postEvent(relay, { bucket: 'uploads', key: 'fine.pdf', size: 5 });

    expect(relay.standIn!.messages.at(-1)!.data).toEqual([expect.objectContaining({ name: 'fine.pdf', fileSize: 5 })]);
  });
});

describe('URL attachments (a Grafana panel image)', () => {
  let images: FileServer;
  let host: string;
  let relay: LocalRelay;
  let alerts = 0;

  beforeAll(async () => {
    images = await hostileFileServer();
    host = new URL(images.url).host;
    const port = new URL(images.url).port;
    relay = await startTestRelay({
      // Listed by address (the operator's explicit choice); `localhost` by name, which resolves to loopback.
      settings: { ATTACHMENT_URL_HOSTS: `http://${host}, http://localhost:${port}, http://169.254.169.254`, ATTACHMENT_MAX_BYTES: String(1024 * 1024) },
      tuning: { urlDownloadTimeoutMs: 500 },
    });
  });
  afterAll(async () => {
    await relay?.close();
    await images.close();
  });

  /** Posts a Grafana alert whose panel image is at `imageURL`; the text of the message it became. */
  async function alertWithImage(imageURL: string): Promise<string> {
    alerts += 1;
    const grafana = {
      receiver: 'grafana',
      status: 'firing',
      orgId: 1,
      groupKey: `{}:{alertname="Panel ${alerts}"}`,
      alerts: [{ status: 'firing', labels: { alertname: `Panel ${alerts}` }, annotations: {}, fingerprint: `f${alerts}`, imageURL }],
    };
    expect(await sendHook(relay, '/hooks/grafana', grafana)).toBe(202);
    await relay.queue.idle();
    return lastPosted(relay);
  }

  it.each([
    ['a host not on the allowlist', () => 'https://grafana.example.com/panel.png', () => 'https://grafana.example.com is not on the allowlist of attachment hosts'],
    ['a listed name that resolves to an internal address', () => `http://localhost:${host.split(':')[1]}/panel.png`, () => /^localhost resolves to an internal address \([0-9a-f.:]+\): never fetched$/],
    ['a link-local address', () => 'http://169.254.169.254/latest/meta-data/iam.png', () => '169.254.169.254 is a link-local address (the instance metadata range): never fetched'],
    ['a redirect to a host not on the allowlist', () => `http://${host}/elsewhere.png`, () => 'it redirects to https://evil.example.net, which is not on the allowlist of attachment hosts'],
    ['too many redirects', () => `http://${host}/loop.png`, () => 'it redirects more than 3 times: not followed further'],
    ['a declared size over the limit', () => `http://${host}/huge.png`, () => 'the file is 5.0 MB, larger than the 1.0 MB limit for attachments'],
    ['a body that passes the limit while it is read', () => `http://${host}/endless.png`, () => 'the file is larger than the 1.0 MB limit for attachments (stopped reading there)'],
    ['a server too slow', () => `http://${host}/slow.png`, () => `${host} did not send the whole file within 500 ms`],
    ['an HTML page instead of the image', () => `http://${host}/login.png`, () => `${host} sent an HTML page, not a file (a login page, perhaps)`],
    ['another media type', () => `http://${host}/data.png`, () => `${host} sent application/json, not image/*`],
    ['an HTTP error status', () => `http://${host}/gone.png`, () => `${host} answered HTTP 404 Not Found`],
  ])('names %s', async (_, url, expected) => {
    // Act
    const text = await alertWithImage(url());

    // Assess
    const reason = expected();
    const [logged] = loggedReasons(warn);
    if (typeof reason === 'string') {
      expect(text).toContain(`${url()} could not be attached: ${reason}`);
      expect(logged).toBe(reason);
    } else {
      expect(logged).toMatch(reason);
      expect(text).toContain(`${url()} could not be attached: ${logged}`);
    }
    expect(loggedReasons(warn)).toHaveLength(1);
  });

  it('attaches an image the host serves (the server is reachable from the relay)', async () => {
    await alertWithImage(`http://${host}/panel.png`);

    expect(relay.standIn!.messages.at(-1)!.data).toEqual([expect.objectContaining({ fileType: 'image', fileSize: IMAGE.length })]);
  });
});

/** The S3 opener against the SDK mocked at the client: what it asks S3, and how it reads S3's answers. */
import { GetObjectCommand, HeadObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { Readable } from 'node:stream';
import { openS3Object, type S3OpenPolicy } from '../../lambda/attachments/s3';
import { refusal } from '../support/refusal';

const client = new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
const s3 = mockClient(client);
const policy: S3OpenPolicy = { client, buckets: new Set(['reports']), maxBytes: 1000 };

function serviceError(status: number, name: string): S3ServiceException {
  return new S3ServiceException({ name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message: name });
}


beforeEach(() => s3.reset());

it('measures with HEAD, then streams a GET pinned to the version and ETag seen', async () => {
  s3.on(HeadObjectCommand).resolves({ ContentLength: 5, ContentType: 'application/pdf', ETag: '"abc"' });
  s3.on(GetObjectCommand).resolves({ Body: Readable.from([Buffer.from('hello')]) as never });

  const file = await openS3Object({ bucket: 'reports', key: 'q1/summary.pdf', versionId: 'v7' }, policy);
  const body = await file.open();

  expect(file).toMatchObject({ name: 'summary.pdf', size: 5, contentType: 'application/pdf' });
  expect(body).toBeInstanceOf(Readable);
  expect(s3.commandCalls(HeadObjectCommand)[0]!.args[0].input).toEqual({ Bucket: 'reports', Key: 'q1/summary.pdf', VersionId: 'v7' });
  expect(s3.commandCalls(GetObjectCommand)[0]!.args[0].input).toEqual({ Bucket: 'reports', Key: 'q1/summary.pdf', VersionId: 'v7', IfMatch: '"abc"' });
});

it.each([
  ['binary/octet-stream', 'shot.png', 'image/png'],
  [undefined, 'build.log', 'text/plain'],
  ['application/octet-stream', 'archive.unknownext', 'application/octet-stream'],
  ['image/webp; charset=binary', 'x.png', 'image/webp'],
  ['not a type', 'report.pdf', 'application/pdf'],
])('takes the type from metadata (%s) or else from the extension (%s) → %s', async (declared, key, expected) => {
  s3.on(HeadObjectCommand).resolves({ ContentLength: 5, ContentType: declared, ETag: '"e"' });

  expect((await openS3Object({ bucket: 'reports', key }, policy)).contentType).toBe(expected);
});

it('refuses a bucket that is not allowed, without asking S3', async () => {
  expect((await refusal(openS3Object({ bucket: 'secrets', key: 'k' }, policy))).reason).toMatch(/bucket secrets is not one the relay may read/);
  expect(s3.calls()).toHaveLength(0);
});

it('does not HEAD an object the event already says is too large, and links to it', async () => {
  const error = await refusal(openS3Object({ bucket: 'reports', key: 'a b.iso', size: 5000 }, policy));

  expect(s3.calls()).toHaveLength(0);
  expect(error.reason).toBe('5.0 KB is larger than the 1.0 KB limit for attachments, so it is not attached');
  expect(error.link).toEqual({ label: 'Open in the S3 console', url: 'https://s3.console.aws.amazon.com/s3/object/reports?region=eu-west-1&prefix=a+b.iso' });
  expect(error.transient).toBe(false);
});

it('refuses an object that HEAD finds too large or empty', async () => {
  s3.on(HeadObjectCommand).resolvesOnce({ ContentLength: 1001, ETag: '"e"' }).resolvesOnce({ ContentLength: 0, ETag: '"e"' });

  expect((await refusal(openS3Object({ bucket: 'reports', key: 'big' }, policy))).reason).toMatch(/larger than/);
  expect((await refusal(openS3Object({ bucket: 'reports', key: 'empty' }, policy))).reason).toMatch(/empty \(0 bytes\)/);
});

it.each([
  [404, 'NotFound', /does not exist/, false],
  [403, 'Forbidden', /access denied/, false],
  [503, 'SlowDown', /failed \(SlowDown\)/, true],
  [500, 'InternalError', /failed \(InternalError\)/, true],
])('HEAD answering %s (%s) is a refusal, or a failure that may pass', async (status, name, reason, transient) => {
  s3.on(HeadObjectCommand).rejects(serviceError(status, name));

  const error = await refusal(openS3Object({ bucket: 'reports', key: 'k' }, policy));

  expect(error.reason).toMatch(reason);
  expect(error.transient).toBe(transient);
});

it('says so when the object was replaced between HEAD and GET', async () => {
  s3.on(HeadObjectCommand).resolves({ ContentLength: 5, ETag: '"old"' });
  s3.on(GetObjectCommand).rejects(serviceError(412, 'PreconditionFailed'));

  const file = await openS3Object({ bucket: 'reports', key: 'k' }, policy);

  expect((await refusal(file.open())).reason).toMatch(/was replaced while it was being attached/);
});

/** The S3 opener against the SDK mocked at the client: what it asks S3, and how it reads S3's answers. */
import { GetObjectCommand, HeadObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { Readable } from 'node:stream';
import { openS3Object, type S3OpenPolicy } from '../../lambda/attachments/s3';
import { refusal } from '../support/refusal';

const client = new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
const s3 = mockClient(client);
const policy: S3OpenPolicy = { client, buckets: new Set(['reports']), maxBytes: 1000 };



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

/**
 * An error as the SDK makes it from S3's answer. A HEAD answer has no body, so HeadObject errors carry no S3 code: the
 * SDK names them `NotFound` (404) or `Unknown`. GetObject errors carry S3's code from the XML body.
 */
function headError(status: number, headers: Record<string, string> = {}): S3ServiceException {
  const error = new S3ServiceException({ name: status === 404 ? 'NotFound' : 'Unknown', $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message: 'UnknownError' });
  return Object.assign(error, { $response: { statusCode: status, headers, body: undefined } });
}

function getError(status: number, code: string, message: string): S3ServiceException {
  return Object.assign(new S3ServiceException({ name: code, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message }), { Code: code });
}

describe('why an object is not attached', () => {
  it.each([
    ['HEAD 404: the key is gone', {}, headError(404), 's3://reports/k does not exist (any more)', false],
    ['HEAD 404 for the version the event named', { versionId: 'v7' }, headError(404), 'version v7 of s3://reports/k no longer exists: it was deleted after the event', false],
    ['HEAD 404 with a delete marker', {}, headError(404, { 'x-amz-delete-marker': 'true' }), 's3://reports/k was deleted after the event', false],
    ['HEAD 405: the version is a delete marker', { versionId: 'v7' }, headError(405), 'version v7 of s3://reports/k is a delete marker: the object was deleted', false],
    ['HEAD 403', {}, headError(403), 'the relay may not read s3://reports/k (access denied): its role is not allowed this key, or the object no longer exists', false],
    ['HEAD 412: overwritten since the event', { etag: 'abc' }, headError(412), 's3://reports/k changed since the event (its ETag is no longer the one the event reported): a newer upload replaced it', false],
    ['HEAD 503: throttled', {}, headError(503), 'S3 asked the relay to slow down (HTTP 503): s3://reports/k was not read this time', true],
    ['HEAD 500', {}, headError(500), 'S3 failed to read s3://reports/k (HTTP 500)', true],
    ['HEAD 400', {}, headError(400), 'S3 refused to read s3://reports/k (HTTP 400)', false],
    ['no answer at all', {}, Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { name: 'Error' }), 'reading s3://reports/k failed before S3 answered: connect ECONNREFUSED 127.0.0.1:1', true],
  ])('says so for %s', async (_, ref, error, reason, transient) => {
    // Prepare
    s3.on(HeadObjectCommand).rejects(error);

    // Act
    const refused = await refusal(openS3Object({ bucket: 'reports', key: 'k', ...ref }, policy));

    // Assess
    expect(refused.reason).toBe(reason);
    expect(refused.transient).toBe(transient);
    expect(refused.cause).toBe(error);
  });

  it.each([
    ['AccessDenied for kms:Decrypt', getError(403, 'AccessDenied', 'User: arn:aws:sts::123456789012:assumed-role/deliver/x is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:eu-west-1:123456789012:key/1234'), /^s3:\/\/reports\/k is encrypted with a KMS key the relay may not use \(AccessDenied\): name the key as the bucket's kmsKeyArn/, false],
    ['a disabled KMS key', getError(400, 'KMS.DisabledException', 'arn:aws:kms:eu-west-1:123456789012:key/1234 is disabled.'), /^s3:\/\/reports\/k is encrypted with a KMS key the relay may not use \(KMS\.DisabledException\)/, false],
    ['AccessDenied', getError(403, 'AccessDenied', 'Access Denied'), /^the relay may not read s3:\/\/reports\/k \(access denied \(AccessDenied\)\)/, false],
    ['SlowDown', getError(503, 'SlowDown', 'Please reduce your request rate.'), /^S3 asked the relay to slow down \(SlowDown\)/, true],
  ])('says so when the GET meets %s', async (_, error, reason, transient) => {
    // Prepare
    s3.on(HeadObjectCommand).resolves({ ContentLength: 5, ETag: '"e"' });
    s3.on(GetObjectCommand).rejects(error);
    const file = await openS3Object({ bucket: 'reports', key: 'k' }, policy);

    // Act
    const refused = await refusal(file.open());

    // Assess
    expect(refused.reason).toMatch(reason);
    expect(refused.transient).toBe(transient);
  });

  it('pins the HEAD to the ETag the event reported, quoted as If-Match wants it', async () => {
    s3.on(HeadObjectCommand).resolves({ ContentLength: 5, ETag: '"abc"' });

    await openS3Object({ bucket: 'reports', key: 'k', etag: 'abc' }, policy);

    expect(s3.commandCalls(HeadObjectCommand)[0]!.args[0].input).toEqual({ Bucket: 'reports', Key: 'k', IfMatch: '"abc"' });
  });
});

it('says so when the object was replaced between HEAD and GET', async () => {
  s3.on(HeadObjectCommand).resolves({ ContentLength: 5, ETag: '"old"' });
  s3.on(GetObjectCommand).rejects(getError(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold'));

  const file = await openS3Object({ bucket: 'reports', key: 'k' }, policy);

  expect((await refusal(file.open())).reason).toMatch(/was replaced while it was being attached/);
});

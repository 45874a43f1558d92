/** Deliver's file settings: `S3_BUCKETS`, `ATTACHMENT_S3_BUCKETS`, `ATTACHMENT_FAILURE`, `ATTACHMENT_MAX_BYTES`, `AWS_ENDPOINT_URL`. */
import { readDeliverConfig } from '../../lambda/runtime/config';
import { ConfigError } from '../../lambda/runtime/errors';

const base = {
  SPACES_TOKEN_SECRET_ID: 'spaces-token',
  CHANNELS: '{"default":"space-1","uploads":"space-2"}',
  IDEMPOTENCY_TABLE: 'relay-idempotency',
  DLQ_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/relay-dlq',
  QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/relay-delivery',
  STATE_TTL_SECONDS: '1728000',
};

it('reads bucket rules, the extra buckets and the failure mode, and hands the rules to the s3 source', () => {
  const config = readDeliverConfig({
    ...base,
    S3_BUCKETS: '[{"name":"reports","prefix":"daily/","suffix":".pdf","channel":"uploads"},{"name":"shots"}]',
    ATTACHMENT_S3_BUCKETS: 'dumps, graphs',
    ATTACHMENT_FAILURE: 'retry',
    AWS_ENDPOINT_URL: 'http://127.0.0.1:5000',
  });

  expect(config.S3_BUCKETS).toEqual([{ name: 'reports', prefix: 'daily/', suffix: '.pdf', channel: 'uploads' }, { name: 'shots' }]);
  expect([...config.attachableBuckets]).toEqual(['reports', 'shots', 'dumps', 'graphs']);
  expect(config.ATTACHMENT_FAILURE).toBe('retry');
  expect(config.SOURCE_SETTINGS.get('s3')).toEqual({ objectRemoved: false, buckets: config.S3_BUCKETS });
});

it('defaults: no buckets, notes for failed files, the 1 GB Spaces limit', () => {
  const config = readDeliverConfig(base);

  expect(config.S3_BUCKETS).toEqual([]);
  expect(config.ATTACHMENT_FAILURE).toBe('note');
  expect(config.ATTACHMENT_MAX_BYTES).toBe(1024 ** 3);
  expect(config.AWS_ENDPOINT_URL).toBeUndefined();
});

it.each([
  [{ S3_BUCKETS: 'not json' }, /S3_BUCKETS: is not valid JSON/],
  [{ S3_BUCKETS: '[{"name":"Bad_Name"}]' }, /S3_BUCKETS\.0\.name: must be an S3 bucket name/],
  [{ S3_BUCKETS: '[{"name":"reports","prefx":"daily/"}]' }, /S3_BUCKETS\.0\.prefx: is not a known field/],
  [{ S3_BUCKETS: '[{"name":"reports","channel":"nope"}]' }, /S3_BUCKETS\.0\.channel: names channel "nope", which CHANNELS does not have/],
  [{ ATTACHMENT_S3_BUCKETS: 'ok-bucket,UPPER' }, /ATTACHMENT_S3_BUCKETS\.1: must be an S3 bucket name/],
  [{ ATTACHMENT_FAILURE: 'drop' }, /ATTACHMENT_FAILURE: must be "note" or "retry"/],
  [{ ATTACHMENT_MAX_BYTES: String(2 * 1024 ** 3) }, /ATTACHMENT_MAX_BYTES: must be at most 1073741824/],
  [{ AWS_ENDPOINT_URL: 'not a url' }, /AWS_ENDPOINT_URL: must be an absolute URL/],
  [{ SPACES_API_URL: 'https://user:secret@spaces.example.com' }, /SPACES_API_URL: must not carry credentials \(user:password@\)/],
  [{ ATTACHMENT_URL_HOSTS: '*' }, /ATTACHMENT_URL_HOSTS: .*a star is only allowed/],
])('refuses %p, naming the variable', (env, message) => {
  expect(() => readDeliverConfig({ ...base, ...env })).toThrow(ConfigError);
  expect(() => readDeliverConfig({ ...base, ...env })).toThrow(message);
});

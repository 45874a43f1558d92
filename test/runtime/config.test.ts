import { DEFAULT_SPACES_API_URL, readDeliverConfig, readIngestConfig, SPACES_MAX_FILE_BYTES } from '../../lambda/runtime/config';
import { ConfigError } from '../../lambda/runtime/errors';

const ingestEnv = {
  WEBHOOK_SECRET_ID: 'arn:secret',
  QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/q',
  CHANNELS: '{"default":"space-1","ops":"space-2"}',
};

const deliverEnv = {
  SPACES_TOKEN_SECRET_ID: 'tok',
  CHANNELS: '{"default":"s"}',
  IDEMPOTENCY_TABLE: 'relay-idempotency',
  DLQ_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/relay-dlq',
  QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/relay-delivery',
  STATE_TTL_SECONDS: '1728000',
};

describe('configuration', () => {
  it('reads the ingest environment with defaults', () => {
    const config = readIngestConfig({ ...ingestEnv, ENABLED_SOURCES: 'alertmanager, grafana' });

    expect(config.CHANNELS).toEqual({ default: 'space-1', ops: 'space-2' });
    expect(config.ENABLED_SOURCES).toEqual(['alertmanager', 'grafana']);
    expect(config.SOURCE_SETTINGS.get('github')).toEqual({ workflowJob: false, checkRun: false, inProgress: false });
    expect(config.INBOUND_SECRET_GRACE_MINUTES).toBe(60);
  });

  it('reads a grace period of 0 for the previous inbound secret, and refuses one that is not a number of minutes up to a week', () => {
    expect(readIngestConfig({ ...ingestEnv, INBOUND_SECRET_GRACE_MINUTES: '0' }).INBOUND_SECRET_GRACE_MINUTES).toBe(0);
    expect(() => readIngestConfig({ ...ingestEnv, INBOUND_SECRET_GRACE_MINUTES: '1h' })).toThrow(
      /INBOUND_SECRET_GRACE_MINUTES: must be a whole number of minutes/,
    );
    expect(() => readIngestConfig({ ...ingestEnv, INBOUND_SECRET_GRACE_MINUTES: '10081' })).toThrow(
      /INBOUND_SECRET_GRACE_MINUTES: must be at most 10080 minutes \(a week\)/,
    );
  });

  it('reads the deliver environment with defaults and the allowlist parsed', () => {
    const config = readDeliverConfig({ ...deliverEnv, ATTACHMENT_URL_HOSTS: 'grafana.example.com, http://10.0.0.5:3000' });

    expect(config.SPACES_API_URL).toBe(DEFAULT_SPACES_API_URL);
    expect(config.ATTACHMENT_MAX_BYTES).toBe(SPACES_MAX_FILE_BYTES);
    expect(config.ATTACHMENT_URL_HOSTS).toEqual([
      { host: 'grafana.example.com', wildcard: false, port: undefined, http: false },
      { host: '10.0.0.5', wildcard: false, port: 3000, http: true },
    ]);
  });

  it.each([
    [{ ...ingestEnv, CHANNELS: '{"ops":"x"}' }, /CHANNELS: needs a "default" channel/],
    [{ ...ingestEnv, CHANNELS: 'not json' }, /CHANNELS: is not valid JSON/],
    [{ ...ingestEnv, QUEUE_URL: 'queue' }, /QUEUE_URL: must be an absolute URL/],
    [{ CHANNELS: ingestEnv.CHANNELS, QUEUE_URL: ingestEnv.QUEUE_URL }, /WEBHOOK_SECRET_ID: required/],
    [{ ...ingestEnv, SOURCE_SETTINGS: '{"github":{"inProgress":"yes"}}' }, /SOURCE_SETTINGS\.github\.inProgress: must be true or false, not "yes"/],
    [{ ...ingestEnv, TEMPLATES: '{"github":{"title":"ok","summary":"\\n{{ x | nosuch }}"}}' }, /TEMPLATES\.github\.summary: line 2, column 1: undefined filter: nosuch/],
    [{ ...ingestEnv, TEMPLATES: '{"github":{"titel":"x"}}' }, /TEMPLATES\.github\.titel: is not a known field/],
  ])('names the variable that is wrong (%#)', (env, message) => {
    expect(() => readIngestConfig(env)).toThrow(message);
    expect(() => readIngestConfig(env)).toThrow(ConfigError);
  });

  it('refuses an attachment limit above the Spaces limit and a bad allowlist entry', () => {
    expect(() => readDeliverConfig({ ...deliverEnv, ATTACHMENT_MAX_BYTES: String(2 * SPACES_MAX_FILE_BYTES) })).toThrow(/ATTACHMENT_MAX_BYTES: must be at most/);
    expect(() => readDeliverConfig({ ...deliverEnv, ATTACHMENT_URL_HOSTS: 'https://grafana.example.com/render' })).toThrow(/not a URL path/);
  });

  it('refuses settings for a source that does not exist', () => {
    expect(() => readIngestConfig({ ...ingestEnv, SOURCE_SETTINGS: '{"nagios":{}}' })).toThrow(
      /SOURCE_SETTINGS\.nagios: is not a source \(sources: alertmanager, .*\)/,
    );
  });
});

describe('readDeliverConfig', () => {
  it('defaults to editing and posting on resolve, folding from 20, and two concurrent invocations', () => {
    // Act
    const config = readDeliverConfig(deliverEnv);

    // Assess
    expect(config).toMatchObject({ RESOLVE_MODE: 'edit-and-post', DIGEST_THRESHOLD: 20, DELIVER_CONCURRENCY: 2, IDEMPOTENCY_TABLE: 'relay-idempotency' });
  });

  it('names every bad delivery setting', () => {
    // Act
    const read = () =>
      readDeliverConfig({ ...deliverEnv, RESOLVE_MODE: 'delete', DIGEST_THRESHOLD: '0', DLQ_URL: undefined, STATE_TTL_SECONDS: '20d' });
    const readWithout = () => readDeliverConfig({ ...deliverEnv, STATE_TTL_SECONDS: undefined });

    // Assess
    expect(read).toThrow(/RESOLVE_MODE: must be one of: edit, post, edit-and-post/);
    expect(read).toThrow(/DIGEST_THRESHOLD: must be a whole number above 0/);
    expect(read).toThrow(/DLQ_URL/);
    expect(read).toThrow(/STATE_TTL_SECONDS: must be a whole number above 0/);
    // Only the stack knows how long a notification can wait in its queues: no default stands in for it.
    expect(readWithout).toThrow(/STATE_TTL_SECONDS: required/);
  });
});

describe('ROUTES', () => {
  const routes = JSON.stringify([{ match: { source: 'codebuild' }, channel: 'ops' }, { match: { status: 'success' }, drop: true }]);

  it('is read by both functions, none by default', () => {
    // Act
    const ingest = readIngestConfig({ ...ingestEnv, ROUTES: routes });
    const deliver = readDeliverConfig({ ...deliverEnv, CHANNELS: ingestEnv.CHANNELS, ROUTES: routes });

    // Assess
    expect(ingest.ROUTES).toEqual(JSON.parse(routes));
    expect(deliver.ROUTES).toEqual(JSON.parse(routes));
    expect(readIngestConfig(ingestEnv).ROUTES).toEqual([]);
  });

  it('names the route and field that is wrong: a channel CHANNELS lacks, a bad pattern', () => {
    // Prepare
    const bad = JSON.stringify([{ match: {}, channel: 'ci' }, { match: { branch: { regex: '[' } }, drop: true }]);

    // Act
    const ingest = () => readIngestConfig({ ...ingestEnv, ROUTES: bad });
    const deliver = () => readDeliverConfig({ ...deliverEnv, ROUTES: bad });

    // Assess
    for (const read of [ingest, deliver]) {
      expect(read).toThrow(/ROUTES\.1\.match\.branch: regex "\[" is not a valid regular expression/);
    }
    expect(() => readIngestConfig({ ...ingestEnv, ROUTES: JSON.stringify([{ match: {}, channel: 'ci' }]) })).toThrow(
      /ROUTES\.0\.channel: names channel "ci", which CHANNELS does not have/,
    );
    expect(() => readDeliverConfig({ ...deliverEnv, ROUTES: JSON.stringify([{ match: {}, channel: 'ci' }]) })).toThrow(
      /ROUTES\.0\.channel: names channel "ci", which CHANNELS does not have/,
    );
  });
});

describe('MENTIONS', () => {
  it('is read by deliver, none by default, and names the field that is wrong', () => {
    // Prepare
    const mentions = { targets: { dana: { id: 'u-1', name: 'Dana' } }, rules: [{ match: { status: 'failure' }, mention: ['dana'] }] };

    // Act
    const read = readDeliverConfig({ ...deliverEnv, MENTIONS: JSON.stringify(mentions) });
    const bad = () => readDeliverConfig({ ...deliverEnv, MENTIONS: JSON.stringify({ ...mentions, rules: [{ match: {}, mention: ['bob'] }] }) });

    // Assess
    expect(read.MENTIONS).toEqual({ ...mentions, committers: {}, targets: { dana: { id: 'u-1', name: 'Dana', type: 'user' } } });
    expect(readDeliverConfig(deliverEnv).MENTIONS).toBeUndefined();
    expect(bad).toThrow(/MENTIONS\.rules\.0\.mention\.0: "bob" is not one of the targets \(dana\)/);
  });
});

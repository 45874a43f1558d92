import { ConfigError, DEFAULT_SPACES_API_URL, readDeliverConfig, readIngestConfig, SPACES_MAX_FILE_BYTES } from '../lambda/config';
import { resolveSourceSettings } from '../lambda/sources/settings';

const ingestEnv = {
  WEBHOOK_SECRET_ID: 'arn:secret',
  QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/q',
  CHANNELS: '{"default":"space-1","ops":"space-2"}',
};

describe('configuration', () => {
  it('reads the ingest environment with defaults', () => {
    const config = readIngestConfig({ ...ingestEnv, ENABLED_SOURCES: 'alertmanager, grafana' });

    expect(config.CHANNELS).toEqual({ default: 'space-1', ops: 'space-2' });
    expect(config.ENABLED_SOURCES).toEqual(['alertmanager', 'grafana']);
    expect(config.SOURCE_SETTINGS).toEqual({});
  });

  it('reads the deliver environment with defaults and the allowlist parsed', () => {
    const config = readDeliverConfig({ SPACES_TOKEN_SECRET_ID: 'tok', CHANNELS: '{"default":"s"}', ATTACHMENT_URL_HOSTS: 'grafana.example.com, http://10.0.0.5:3000' });

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
    [{ CHANNELS: ingestEnv.CHANNELS, QUEUE_URL: ingestEnv.QUEUE_URL }, /WEBHOOK_SECRET_ID/],
  ])('names the variable that is wrong (%#)', (env, message) => {
    expect(() => readIngestConfig(env)).toThrow(message);
    expect(() => readIngestConfig(env)).toThrow(ConfigError);
  });

  it('refuses an attachment limit above the Spaces limit and a bad allowlist entry', () => {
    const env = { SPACES_TOKEN_SECRET_ID: 'tok', CHANNELS: '{"default":"s"}' };

    expect(() => readDeliverConfig({ ...env, ATTACHMENT_MAX_BYTES: String(2 * SPACES_MAX_FILE_BYTES) })).toThrow(/ATTACHMENT_MAX_BYTES: must be at most/);
    expect(() => readDeliverConfig({ ...env, ATTACHMENT_URL_HOSTS: 'https://grafana.example.com/render' })).toThrow(/not a URL path/);
  });

  it('refuses settings for a source that does not exist', () => {
    expect(() => resolveSourceSettings({ nagios: {} })).toThrow(/SOURCE_SETTINGS: unknown source\(s\) nagios/);
  });
});

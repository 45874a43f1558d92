/** `npm start`: the relay on 127.0.0.1, configured from the environment (DESIGN.md "Configuration", local). */
import * as v from 'valibot';
import { parseAllowlist } from '../net/host-allowlist';
import { createS3Client } from '../attachments/s3';
import { AttachmentEnvEntries, ChannelsSchema, ConfigError, DigestThresholdSetting, readEnv, ResolveModeSetting } from '../runtime/config';
import { logger } from '../runtime/logger';
import { SOURCES } from '../sources';
import { STAND_IN_PREFIX, startLocalRelay } from './server';

const LocalEnv = v.pipe(
  v.object({
    PORT: v.optional(v.pipe(v.string(), v.regex(/^\d+$/, 'must be a port number'), v.transform(Number), v.maxValue(65535)), '3000'),
    HOST: v.optional(v.string(), '127.0.0.1'),
    SPACES_API_URL: v.optional(v.pipe(v.string(), v.url('must be an absolute URL'))),
    SPACES_TOKEN: v.optional(v.string()),
    SPACE_ID: v.optional(v.pipe(v.string(), v.nonEmpty()), 'local-space'),
    CHANNELS: v.optional(v.string()),
    WEBHOOK_TOKEN: v.optional(v.string()),
    ...AttachmentEnvEntries,
    SOURCE_SETTINGS: v.optional(v.string()),
    RESOLVE_MODE: ResolveModeSetting,
    DIGEST_THRESHOLD: DigestThresholdSetting,
  }),
  v.check((env) => !env.SPACES_API_URL || !!env.SPACES_TOKEN, 'SPACES_API_URL needs SPACES_TOKEN (the token for that Spaces)'),
);

function jsonObject(name: string, text: string | undefined): Record<string, unknown> {
  if (!text) return {};
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new ConfigError(`${name}: must be a JSON object`);
}

async function main(): Promise<void> {
  const env = readEnv(LocalEnv, process.env);
  let channels: v.InferOutput<typeof ChannelsSchema> = { default: env.SPACE_ID };
  if (env.CHANNELS) {
    const parsed = v.safeParse(ChannelsSchema, jsonObject('CHANNELS', env.CHANNELS));
    if (!parsed.success) throw new ConfigError(`CHANNELS: ${parsed.issues[0].message}`);
    channels = parsed.output;
  }
  const relay = await startLocalRelay({
    port: env.PORT,
    host: env.HOST,
    webhookToken: env.WEBHOOK_TOKEN || undefined,
    channels,
    spaces: env.SPACES_API_URL ? { baseUrl: env.SPACES_API_URL, token: env.SPACES_TOKEN! } : undefined,
    attachmentHosts: parseAllowlist(env.ATTACHMENT_URL_HOSTS),
    attachmentMaxBytes: env.ATTACHMENT_MAX_BYTES,
    attachmentFailure: env.ATTACHMENT_FAILURE,
    s3Buckets: env.S3_BUCKETS,
    attachmentS3Buckets: env.ATTACHMENT_S3_BUCKETS,
    s3Client: createS3Client(env.AWS_ENDPOINT_URL),
    sourceSettings: jsonObject('SOURCE_SETTINGS', env.SOURCE_SETTINGS),
    resolveMode: env.RESOLVE_MODE,
    digestThreshold: env.DIGEST_THRESHOLD,
  });

  const auth = env.WEBHOOK_TOKEN ? ` -H 'Authorization: Bearer <WEBHOOK_TOKEN>'` : '';
  const lines = [
    `spaces-relay listening on ${relay.url}`,
    `  webhooks:  POST ${relay.url}/hooks/{${SOURCES.filter((s) => s.webhook).map((s) => s.name).join('|')}}[/{channel}]   channels: ${Object.keys(channels).join(', ')}`,
    `  events:    POST ${relay.url}/events     health: GET ${relay.url}/healthz`,
    `  dead letters: GET ${relay.url}/dead-letters   replay them: POST ${relay.url}/dead-letters/redrive`,
    relay.standIn
      ? `  messages:  ${relay.url}${STAND_IN_PREFIX}/  (embedded Spaces stand-in; JSON at ${relay.url}${STAND_IN_PREFIX}/messages)`
      : `  posting to Spaces at ${env.SPACES_API_URL}, space ${channels.default}`,
    `  S3:        ${env.AWS_ENDPOINT_URL ? `${env.AWS_ENDPOINT_URL} (path-style)` : 'AWS'}; buckets posted: ${env.S3_BUCKETS.map((b) => b.name).join(', ') || 'none (set S3_BUCKETS)'}`,
    `  try:       curl -X POST ${relay.url}/hooks/generic -H 'Content-Type: text/plain'${auth} -d 'Hello from spaces-relay'`,
  ];
  if (!env.WEBHOOK_TOKEN) lines.push('  WARNING: WEBHOOK_TOKEN is not set, so webhooks are accepted without authentication (local use only).');
  process.stdout.write(`${lines.join('\n')}\n`);
  logger.info('local relay started', { url: relay.url, standIn: !!relay.standIn, authenticated: !!env.WEBHOOK_TOKEN });

  const stop = (): void => {
    relay.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: Error) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : error.stack}\n`);
  process.exit(1);
});

/**
 * `npm start`: the relay on 127.0.0.1, configured from the environment (DESIGN.md "Configuration", local). The
 * functions' own settings variables (`CHANNELS`, `SOURCE_SETTINGS`, `ATTACHMENT_*`, …) pass through as they are and
 * are parsed by the functions' own schemas; the local-only ones (port, token, a real Spaces) are read here.
 */
import * as v from 'valibot';
import { ConfigError } from '../runtime/errors';
import { readEnv } from '../runtime/config';
import { logger } from '../runtime/logger';
import { redact } from '../runtime/redact';
import { SOURCES } from '../sources';
import { localTemplates, namingTemplatesFile } from './templates-file';
import { LOCAL_SPACE_ID, STAND_IN_PREFIX, startLocalRelay } from './server';

const LocalEnv = v.pipe(
  v.object({
    PORT: v.optional(v.pipe(v.string(), v.regex(/^\d+$/, 'must be a port number'), v.transform(Number), v.maxValue(65535, 'must be a port number')), '3000'),
    HOST: v.optional(v.string(), '127.0.0.1'),
    SPACES_API_URL: v.optional(v.pipe(v.string(), v.url('must be an absolute URL'))),
    SPACES_TOKEN: v.optional(v.string()),
    SPACE_ID: v.optional(v.pipe(v.string(), v.nonEmpty('must not be empty')), LOCAL_SPACE_ID),
    CHANNELS: v.optional(v.string()),
    WEBHOOK_TOKEN: v.optional(v.string()),
  }),
  v.check((env) => !env.SPACES_API_URL || !!env.SPACES_TOKEN, 'SPACES_API_URL needs SPACES_TOKEN (the token or OAuth grant for that Spaces)'),
);

/** The functions' settings variables `npm start` takes from its environment as they are. */
const PASSED_THROUGH = [
  'SOURCE_SETTINGS',
  'S3_BUCKETS',
  'ATTACHMENT_MAX_BYTES',
  'ATTACHMENT_URL_HOSTS',
  'ATTACHMENT_S3_BUCKETS',
  'ATTACHMENT_FAILURE',
  'AWS_ENDPOINT_URL',
  'RESOLVE_MODE',
  'DIGEST_THRESHOLD',
  'ROUTES',
  'MENTIONS',
] as const;

async function main(): Promise<void> {
  const env = readEnv(LocalEnv, process.env);
  const settings: Record<string, string | undefined> = {
    CHANNELS: env.CHANNELS ?? JSON.stringify({ default: env.SPACE_ID }),
    ...Object.fromEntries(PASSED_THROUGH.map((name) => [name, process.env[name]])),
    TEMPLATES: localTemplates(process.env),
  };
  const relay = await startLocalRelay({
    port: env.PORT,
    host: env.HOST,
    webhookToken: env.WEBHOOK_TOKEN || undefined,
    settings,
    spaces: env.SPACES_API_URL ? { baseUrl: env.SPACES_API_URL, token: env.SPACES_TOKEN! } : undefined,
  }).catch((error: unknown) => {
    throw namingTemplatesFile(error, process.env);
  });

  const channels = Object.keys(JSON.parse(settings.CHANNELS!) as Record<string, string>);
  const auth = env.WEBHOOK_TOKEN ? ` -H 'Authorization: Bearer <WEBHOOK_TOKEN>'` : '';
  const lines = [
    `spaces-relay listening on ${relay.url}`,
    `  webhooks:  POST ${relay.url}/hooks/{${SOURCES.filter((s) => s.webhook).map((s) => s.name).join('|')}}[/{channel}]   channels: ${channels.join(', ')}`,
    `  events:    POST ${relay.url}/events     health: GET ${relay.url}/healthz`,
    `  dead letters: GET ${relay.url}/dead-letters   replay them: POST ${relay.url}/dead-letters/redrive`,
    relay.standIn
      ? `  messages:  ${relay.url}${STAND_IN_PREFIX}/  (embedded Spaces stand-in; JSON at ${relay.url}${STAND_IN_PREFIX}/messages)`
      : `  posting to Spaces at ${new URL(env.SPACES_API_URL!).origin}`,
    `  S3:        ${process.env.AWS_ENDPOINT_URL ? `${new URL(process.env.AWS_ENDPOINT_URL).origin} (path-style)` : 'AWS'}`,
    `  try:       curl -X POST ${relay.url}/hooks/generic -H 'Content-Type: text/plain'${auth} -d 'Hello from spaces-relay'`,
  ];
  if (!env.WEBHOOK_TOKEN) lines.push('  WARNING: WEBHOOK_TOKEN is not set, so webhooks are accepted without authentication (local use only).');
  // Written past the logger: redacted like a log line (the URLs are printed as origins, without any user:password@).
  process.stdout.write(`${redact(lines.join('\n'))}\n`);
  logger.info('local relay started', { url: relay.url, standIn: !!relay.standIn, authenticated: !!env.WEBHOOK_TOKEN });

  const stop = (): void => {
    relay.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: Error) => {
  process.stderr.write(`${redact((error instanceof ConfigError ? error.message : error.stack) ?? String(error))}\n`);
  process.exit(1);
});

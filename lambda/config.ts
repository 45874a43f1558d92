/**
 * The Lambda environment the stack sets (DESIGN.md "Configuration"), checked once at cold start. A bad value stops
 * the function with a message naming the variable, rather than failing later on the first webhook.
 */
import * as v from 'valibot';
import { parseAllowlist, type HostRule } from './attachments/allowlist';
import { problemsOf } from './validate';

export const DEFAULT_SPACES_API_URL = 'https://spacesapis.avayacloud.com';
/**
 * What a resolved alert does to the message that announced it. `edit`: edit the firing messages, post nothing.
 * `post`: post the resolved message, edit nothing. `edit-and-post` (default): edit them and post a short notice.
 */
export const RESOLVE_MODES = ['edit', 'post', 'edit-and-post'] as const;
export type ResolveMode = (typeof RESOLVE_MODES)[number];
/** From this many waiting text-only notifications for one space on, deliver folds them into digests. */
export const DEFAULT_DIGEST_THRESHOLD = 20;

/** The Spaces limit per file, and so the default and the ceiling of `ATTACHMENT_MAX_BYTES`. */
export const SPACES_MAX_FILE_BYTES = 1024 ** 3;

const JsonText = <T>(schema: v.GenericSchema<unknown, T>) =>
  v.pipe(
    v.string(),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      try {
        return JSON.parse(dataset.value) as unknown;
      } catch {
        addIssue({ message: 'is not valid JSON' });
        return NEVER;
      }
    }),
    schema,
  );

/** `{"default": "<spaceId>", "<channel>": "<spaceId>", ...}` */
export const ChannelsSchema = v.pipe(
  v.record(v.pipe(v.string(), v.regex(/^[A-Za-z0-9_.-]+$/, 'channel names use letters, digits, . _ -')), v.pipe(v.string(), v.nonEmpty())),
  v.check((channels) => 'default' in channels, 'needs a "default" channel'),
);
export type Channels = v.InferOutput<typeof ChannelsSchema>;

const Url = v.pipe(v.string(), v.url('must be an absolute URL'));
const ByteCount = v.pipe(
  v.string(),
  v.regex(/^\d+$/, 'must be a whole number of bytes'),
  v.transform(Number),
  v.maxValue(SPACES_MAX_FILE_BYTES, `must be at most ${SPACES_MAX_FILE_BYTES} (the Spaces limit)`),
);

const PositiveInteger = v.pipe(v.string(), v.regex(/^[1-9]\d*$/, 'must be a whole number above 0'), v.transform(Number));

/** `RESOLVE_MODE`, deployed and local. */
export const ResolveModeSetting = v.optional(v.picklist(RESOLVE_MODES, `must be one of: ${RESOLVE_MODES.join(', ')}`), 'edit-and-post');
/** `DIGEST_THRESHOLD`, deployed and local. */
export const DigestThresholdSetting = v.optional(PositiveInteger, String(DEFAULT_DIGEST_THRESHOLD));

const SourceSettingsText = v.optional(JsonText(v.record(v.string(), v.unknown())), '{}');
const SourceList = v.pipe(
  v.string(),
  v.transform((text) => text.split(',').map((name) => name.trim()).filter(Boolean)),
);

const IngestEnv = v.object({
  WEBHOOK_SECRET_ID: v.pipe(v.string(), v.nonEmpty()),
  QUEUE_URL: Url,
  CHANNELS: JsonText(ChannelsSchema),
  ENABLED_SOURCES: v.optional(SourceList),
  SOURCE_SETTINGS: SourceSettingsText,
});

const DeliverEnv = v.object({
  SPACES_API_URL: v.optional(Url, DEFAULT_SPACES_API_URL),
  SPACES_TOKEN_SECRET_ID: v.pipe(v.string(), v.nonEmpty()),
  CHANNELS: JsonText(ChannelsSchema),
  ATTACHMENT_MAX_BYTES: v.optional(ByteCount, String(SPACES_MAX_FILE_BYTES)),
  ATTACHMENT_URL_HOSTS: v.optional(v.string(), ''),
  SOURCE_SETTINGS: SourceSettingsText,
  /** Idempotency records, delivery progress and firing-message ids (partition key `id`, TTL attribute `expiration`). */
  IDEMPOTENCY_TABLE: v.pipe(v.string(), v.nonEmpty()),
  /** Where permanent failures are sent, with the reason as a message attribute. */
  DLQ_URL: Url,
  /** What a resolved alert does to the message that announced it (see `delivery/resolve-tracker.ts`). */
  RESOLVE_MODE: ResolveModeSetting,
  /** Waiting text-only notifications for one space, from this many on, are folded into digests. */
  DIGEST_THRESHOLD: DigestThresholdSetting,
  /** The most deliver invocations at once (the event source's maximum concurrency): each takes this share of the limits. */
  DELIVER_CONCURRENCY: v.optional(PositiveInteger, '2'),
});

/** A configuration problem: the function cannot start until the stack (or the local environment) is fixed. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Parses an environment with `schema`; every problem is listed, each as `VARIABLE: problem`. */
export function readEnv<T>(schema: v.GenericSchema<unknown, T>, env: NodeJS.ProcessEnv): T {
  const result = v.safeParse(schema, env);
  if (result.success) return result.output;
  const lines = problemsOf(result.issues).map((p) => `${p.field}: ${p.problem}`);
  throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
}

export type IngestConfig = v.InferOutput<typeof IngestEnv>;
export const readIngestConfig = (env: NodeJS.ProcessEnv = process.env): IngestConfig => readEnv(IngestEnv, env);

export interface DeliverConfig extends Omit<v.InferOutput<typeof DeliverEnv>, 'ATTACHMENT_URL_HOSTS'> {
  readonly ATTACHMENT_URL_HOSTS: HostRule[];
}
export function readDeliverConfig(env: NodeJS.ProcessEnv = process.env): DeliverConfig {
  const parsed = readEnv(DeliverEnv, env);
  try {
    return { ...parsed, ATTACHMENT_URL_HOSTS: parseAllowlist(parsed.ATTACHMENT_URL_HOSTS) };
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}

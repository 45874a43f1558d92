/**
 * The Lambda environment the stack sets (DESIGN.md "Configuration"), checked once at cold start. A bad value stops
 * the function with a message naming the variable, rather than failing later on the first webhook.
 */
import * as v from 'valibot';
import { parseAllowlist, type HostRule } from '../net/host-allowlist';
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

/** An S3 bucket name as S3 allows it (3–63 characters: lower-case letters, digits, dots, hyphens). */
export const BucketNameSchema = v.pipe(
  v.string(),
  v.regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'is not an S3 bucket name'),
);

/** One bucket the stack wired to the relay: which of its objects to post (prefix/suffix of the decoded key), and where. */
export const S3BucketRuleSchema = v.object({
  name: BucketNameSchema,
  prefix: v.optional(v.string()),
  suffix: v.optional(v.string()),
  channel: v.optional(v.pipe(v.string(), v.nonEmpty())),
});
export type S3BucketRule = v.InferOutput<typeof S3BucketRuleSchema>;

/** What happens to a message whose file failed to upload for a reason that may pass (network, throttling, 5xx). */
export const ATTACHMENT_FAILURE_MODES = ['note', 'retry'] as const;
export type AttachmentFailureMode = (typeof ATTACHMENT_FAILURE_MODES)[number];

const BucketList = v.pipe(
  v.string(),
  v.transform((text) => text.split(',').map((name) => name.trim()).filter(Boolean)),
  v.array(BucketNameSchema),
);

/** The attachment and S3 variables, shared by deliver's environment and the local one of `npm start`. */
export const AttachmentEnvEntries = {
  ATTACHMENT_MAX_BYTES: v.optional(ByteCount, String(SPACES_MAX_FILE_BYTES)),
  ATTACHMENT_URL_HOSTS: v.optional(v.string(), ''),
  /** Buckets, besides those of `S3_BUCKETS`, whose objects alerts may reference (`s3://bucket/key`, S3 URLs). */
  ATTACHMENT_S3_BUCKETS: v.optional(BucketList, ''),
  ATTACHMENT_FAILURE: v.optional(v.picklist(ATTACHMENT_FAILURE_MODES, 'must be "note" or "retry"'), 'note'),
  /** JSON array of bucket rules, set by the stack from the team config. */
  S3_BUCKETS: v.optional(JsonText(v.array(S3BucketRuleSchema)), '[]'),
  /** A local S3 (moto_server, MinIO): S3 calls go there, path-style. */
  AWS_ENDPOINT_URL: v.optional(Url),
};

const DeliverEnv = v.pipe(
  v.object({
    SPACES_API_URL: v.optional(Url, DEFAULT_SPACES_API_URL),
    SPACES_TOKEN_SECRET_ID: v.pipe(v.string(), v.nonEmpty()),
    CHANNELS: JsonText(ChannelsSchema),
    ...AttachmentEnvEntries,
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
  }),
  v.forward(
    v.check(
      (env) => env.S3_BUCKETS.every((bucket) => !bucket.channel || bucket.channel in env.CHANNELS),
      'names a channel that CHANNELS does not have',
    ),
    ['S3_BUCKETS'],
  ),
);

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
  /** The buckets whose objects may be attached: those of `S3_BUCKETS` and `ATTACHMENT_S3_BUCKETS`. */
  readonly attachableBuckets: ReadonlySet<string>;
}

/**
 * The per-source settings with the stack's bucket rules handed to the `s3` source, which is the one that applies
 * them (`S3_BUCKETS` is set by the stack, the rest of `SOURCE_SETTINGS` by the team).
 */
export function withS3Buckets(
  settings: Readonly<Record<string, unknown>>,
  buckets: readonly S3BucketRule[],
): Record<string, unknown> {
  const own = settings.s3 && typeof settings.s3 === 'object' ? (settings.s3 as Record<string, unknown>) : {};
  return { ...settings, s3: { ...own, buckets } };
}

/** The buckets whose objects may be attached: the wired ones, and those alerts may reference. */
export function attachableBuckets(wired: readonly S3BucketRule[], referenced: readonly string[]): ReadonlySet<string> {
  return new Set([...wired.map((bucket) => bucket.name), ...referenced]);
}

export function readDeliverConfig(env: NodeJS.ProcessEnv = process.env): DeliverConfig {
  const parsed = readEnv(DeliverEnv, env);
  try {
    return {
      ...parsed,
      ATTACHMENT_URL_HOSTS: parseAllowlist(parsed.ATTACHMENT_URL_HOSTS),
      SOURCE_SETTINGS: withS3Buckets(parsed.SOURCE_SETTINGS, parsed.S3_BUCKETS),
      attachableBuckets: attachableBuckets(parsed.S3_BUCKETS, parsed.ATTACHMENT_S3_BUCKETS),
    };
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}

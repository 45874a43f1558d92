/**
 * The functions' environment (DESIGN.md "Configuration"), checked once at cold start: a bad value stops the function
 * with a message naming the variable, rather than failing later on the first webhook.
 *
 * Each function's environment has two parts. Its *settings* come from the team config; `cdk synth` runs the stack's
 * values through these same schemas (so nothing synth accepts can stop a function), and `npm start` builds them from
 * its local variables. Its *resources* name what the stack created (secrets, queues, the table); they exist only when
 * deployed, and local mode puts in-memory stand-ins in their place.
 */
import * as v from 'valibot';
import { BucketNameSchema } from '../model/s3-reference';
import { parseAllowlist } from '../net/host-allowlist';
import { MentionsSchema } from '../render/mentions';
import { RoutesSchema, unknownChannels, type Routes } from '../routing/routes';
import { checkTemplates } from '../render/templates';
import { SOURCES } from '../sources';
import { S3BucketRuleSchema, type S3BucketRule } from '../sources/s3';
import { checkSourceSettings } from '../sources/settings';
import { ConfigError } from './errors';
import { inWords, issuePathAt, issuePathOf, problemsOf } from './validate';

export const DEFAULT_SPACES_API_URL = 'https://spacesapis.avayacloud.com';
/**
 * What a resolved alert does to the message that announced it. `edit`: edit the firing messages, post nothing.
 * `post`: post the resolved message, edit nothing. `edit-and-post` (default): edit them and post a short notice.
 */
export const RESOLVE_MODES = ['edit', 'post', 'edit-and-post'] as const;
export type ResolveMode = (typeof RESOLVE_MODES)[number];
/** From this many waiting text-only notifications for one space on, deliver folds them into digests. */
export const DEFAULT_DIGEST_THRESHOLD = 20;

/** How long after a rotation ingest still accepts the previous inbound secret, unless the team config says otherwise. */
export const DEFAULT_INBOUND_SECRET_GRACE_MINUTES = 60;
/** The longest grace period: a week lets every sender move over; a longer one would keep a retired secret useful. */
export const MAX_INBOUND_SECRET_GRACE_MINUTES = 7 * 24 * 60;

/** The Spaces limit per file, and so the default and the ceiling of `ATTACHMENT_MAX_BYTES`. */
export const SPACES_MAX_FILE_BYTES = 1024 ** 3;

/** What happens to a message whose file failed to upload for a reason that may pass (network, throttling, 5xx). */
export const ATTACHMENT_FAILURE_MODES = ['note', 'retry'] as const;
export type AttachmentFailureMode = (typeof ATTACHMENT_FAILURE_MODES)[number];

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
  v.record(
    v.pipe(v.string(), v.regex(/^[A-Za-z0-9_.-]+$/, 'channel names use letters, digits, . _ -')),
    v.pipe(v.string(), v.nonEmpty('must be a space id, not empty')),
  ),
  v.check((channels) => Object.hasOwn(channels, 'default'), 'needs a "default" channel'),
);
export type Channels = v.InferOutput<typeof ChannelsSchema>;

/** Whether a URL names no user or password; one that does not parse is left to the URL check to report. */
function withoutCredentials(text: string): boolean {
  try {
    const url = new URL(text);
    return !url.username && !url.password;
  } catch {
    return true;
  }
}

const Url = v.pipe(
  v.string(),
  v.url('must be an absolute URL'),
  // Credentials in a URL end up in every log line and error that names it.
  v.check(withoutCredentials, 'must not carry credentials (user:password@)'),
);
const ByteCount = v.pipe(
  v.string(),
  v.regex(/^\d+$/, 'must be a whole number of bytes'),
  v.transform(Number),
  v.maxValue(SPACES_MAX_FILE_BYTES, `must be at most ${SPACES_MAX_FILE_BYTES} (the Spaces limit)`),
);
const PositiveInteger = v.pipe(v.string(), v.regex(/^[1-9]\d*$/, 'must be a whole number above 0'), v.transform(Number));
const CommaList = v.pipe(
  v.string(),
  v.transform((text) => text.split(',').map((name) => name.trim()).filter(Boolean)),
);
const Allowlist = v.pipe(
  v.string(),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    try {
      return parseAllowlist(dataset.value);
    } catch (error) {
      addIssue({ message: (error as Error).message });
      return NEVER;
    }
  }),
);
const GraceMinutes = v.pipe(
  v.string(),
  v.regex(/^\d+$/, 'must be a whole number of minutes'),
  v.transform(Number),
  v.maxValue(MAX_INBOUND_SECRET_GRACE_MINUTES, `must be at most ${MAX_INBOUND_SECRET_GRACE_MINUTES} minutes (a week)`),
);
const SourceSettingsText = v.optional(JsonText(v.record(v.string(), v.unknown())), '{}');
/** The team's routes (JSON list, see `routing/routes.ts`); read by both functions: webhooks and AWS events alike. */
const RoutesText = v.optional(JsonText(RoutesSchema), '[]');

/** Each route that names a channel `CHANNELS` does not have, reported at its `channel`; whether all were known. */
function routeChannelsKnown(
  env: { readonly CHANNELS: Readonly<Record<string, string>>; readonly ROUTES: Routes },
  addIssue: (issue: { message: string; path: [v.IssuePathItem, ...v.IssuePathItem[]] }) => void,
): boolean {
  const unknown = unknownChannels(env.ROUTES, env.CHANNELS);
  for (const index of unknown) {
    addIssue({
      message: `names channel "${env.ROUTES[index]!.channel}", which CHANNELS does not have`,
      path: issuePathOf(env, 'ROUTES', index, 'channel'),
    });
  }
  return unknown.length === 0;
}

/** The per-source settings, each checked with its source's own schema; problems are reported at their setting. */
function resolvedSourceSettings(
  raw: Readonly<Record<string, unknown>>,
  addIssue: (issue: { message: string; path: [v.IssuePathItem, ...v.IssuePathItem[]] }) => void,
) {
  const checked = checkSourceSettings(raw);
  if (checked.ok) return checked.settings;
  for (const { field, problem } of checked.problems) {
    addIssue({ message: problem, path: issuePathAt({ SOURCE_SETTINGS: raw }, `SOURCE_SETTINGS.${field}`) });
  }
  return undefined;
}

/** The team's templates (`render/templates.ts`), compiled once here; a template that does not parse is named with its line. */
const TemplatesText = v.pipe(
  v.optional(JsonText(v.record(v.string(), v.unknown())), '{}'),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const checked = checkTemplates(dataset.value, SOURCES.map((source) => source.name));
    if (checked.ok) return checked.templates;
    for (const { field, problem } of checked.problems) {
      addIssue({ message: problem, path: issuePathAt({ TEMPLATES: dataset.value }, `TEMPLATES.${field}`) });
    }
    return NEVER;
  }),
);

const IngestSettingsSchema = v.pipe(
  v.object({
    CHANNELS: JsonText(ChannelsSchema),
    /** Webhook sources this team turned on; all when unset. */
    ENABLED_SOURCES: v.optional(CommaList),
    SOURCE_SETTINGS: SourceSettingsText,
    TEMPLATES: TemplatesText,
    /** For how long after a rotation the previous inbound secret is still accepted; 0: not at all. */
    INBOUND_SECRET_GRACE_MINUTES: v.optional(GraceMinutes, String(DEFAULT_INBOUND_SECRET_GRACE_MINUTES)),
    ROUTES: RoutesText,
  }),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const routesOk = routeChannelsKnown(dataset.value, addIssue);
    const settings = resolvedSourceSettings(dataset.value.SOURCE_SETTINGS, addIssue);
    return settings && routesOk ? { ...dataset.value, SOURCE_SETTINGS: settings } : NEVER;
  }),
);

const IngestResourcesSchema = v.object({
  WEBHOOK_SECRET_ID: v.pipe(v.string(), v.nonEmpty()),
  QUEUE_URL: Url,
});

/** The attachment and S3 variables of deliver. */
const AttachmentEntries = {
  ATTACHMENT_MAX_BYTES: v.optional(ByteCount, String(SPACES_MAX_FILE_BYTES)),
  ATTACHMENT_URL_HOSTS: v.optional(Allowlist, ''),
  /** Buckets, besides those of `S3_BUCKETS`, whose objects alerts may reference (`s3://bucket/key`, S3 URLs). */
  ATTACHMENT_S3_BUCKETS: v.optional(v.pipe(CommaList, v.array(BucketNameSchema)), ''),
  ATTACHMENT_FAILURE: v.optional(v.picklist(ATTACHMENT_FAILURE_MODES, 'must be "note" or "retry"'), 'note'),
  /** JSON array of bucket rules, set by the stack from the team config. */
  S3_BUCKETS: v.optional(JsonText(v.array(S3BucketRuleSchema)), '[]'),
  /** A local S3 (moto_server, MinIO): S3 calls go there, path-style. */
  AWS_ENDPOINT_URL: v.optional(Url),
};

const DeliverSettingsSchema = v.pipe(
  v.object({
    SPACES_API_URL: v.optional(Url, DEFAULT_SPACES_API_URL),
    CHANNELS: JsonText(ChannelsSchema),
    ...AttachmentEntries,
    SOURCE_SETTINGS: SourceSettingsText,
    TEMPLATES: TemplatesText,
    /** What a resolved alert does to the message that announced it (see `deliver/resolve-tracker.ts`). */
    RESOLVE_MODE: v.optional(v.picklist(RESOLVE_MODES, `must be one of: ${RESOLVE_MODES.join(', ')}`), 'edit-and-post'),
    /** Waiting text-only notifications for one space, from this many on, are folded into digests. */
    DIGEST_THRESHOLD: v.optional(PositiveInteger, String(DEFAULT_DIGEST_THRESHOLD)),
    /** The most deliver invocations at once (the event source's maximum concurrency): each takes this share of the limits. */
    DELIVER_CONCURRENCY: v.optional(PositiveInteger, '2'),
    /** The delivery queue's maxReceiveCount: on a record's last receive, deliver dead-letters a failure itself, with its reason. */
    QUEUE_MAX_RECEIVES: v.optional(PositiveInteger),
    /**
     * Seconds deliver keeps what it knows per delivery key (idempotency records, progress). Set by the stack from the
     * queues' retention (`infra/limits.ts`), so that a notification redriven from the dead-letter queue still finds
     * what was done for it; no default, since only the stack knows how long a notification can wait.
     */
    STATE_TTL_SECONDS: PositiveInteger,
    ROUTES: RoutesText,
    /** The team's mentions (JSON, see `render/mentions.ts`); none when unset. */
    MENTIONS: v.optional(JsonText(MentionsSchema)),
  }),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const env = dataset.value;
    let ok = routeChannelsKnown(env, addIssue);
    env.S3_BUCKETS.forEach((bucket, index) => {
      if (bucket.channel !== undefined && !Object.hasOwn(env.CHANNELS, bucket.channel)) {
        ok = false;
        addIssue({
          message: `names channel "${bucket.channel}", which CHANNELS does not have`,
          path: issuePathOf(env, 'S3_BUCKETS', index, 'channel'),
        });
      }
    });
    // The stack's bucket rules go to the `s3` source, which applies them; the rest of SOURCE_SETTINGS is the team's.
    const settings = resolvedSourceSettings(withS3Buckets(env.SOURCE_SETTINGS, env.S3_BUCKETS), addIssue);
    if (!ok || !settings) return NEVER;
    return { ...env, SOURCE_SETTINGS: settings, attachableBuckets: attachableBuckets(env.S3_BUCKETS, env.ATTACHMENT_S3_BUCKETS) };
  }),
);

const DeliverResourcesSchema = v.object({
  SPACES_TOKEN_SECRET_ID: v.pipe(v.string(), v.nonEmpty()),
  /** Idempotency records, delivery progress and firing-message ids (partition key `id`, TTL attribute `expiration`). */
  IDEMPOTENCY_TABLE: v.pipe(v.string(), v.nonEmpty()),
  /** Where permanent failures are sent, with the reason as a message attribute. */
  DLQ_URL: Url,
  /** The queue deliver consumes: records it hands back get their visibility shortened there. */
  QUEUE_URL: Url,
});

export type IngestSettings = v.InferOutput<typeof IngestSettingsSchema>;
export type IngestResources = v.InferOutput<typeof IngestResourcesSchema>;
export type DeliverSettings = v.InferOutput<typeof DeliverSettingsSchema>;
export type DeliverResources = v.InferOutput<typeof DeliverResourcesSchema>;
/** Ingest's settings variables, as the stack sets them (all strings, known at synth). */
export type IngestSettingsVariables = v.InferInput<typeof IngestSettingsSchema>;
/** Ingest's resource variables, as the stack sets them (deploy-time values). */
export type IngestResourceVariables = v.InferInput<typeof IngestResourcesSchema>;
/** Deliver's settings variables, as the stack sets them (all strings, known at synth). */
export type DeliverSettingsVariables = v.InferInput<typeof DeliverSettingsSchema>;
/** Deliver's resource variables, as the stack sets them (deploy-time values). */
export type DeliverResourceVariables = v.InferInput<typeof DeliverResourcesSchema>;

/** The error for an environment that cannot be used: every problem, each as `VARIABLE: problem`. */
function configError(issues: readonly v.BaseIssue<unknown>[]): ConfigError {
  const problems = problemsOf(issues);
  const lines = problems.map((p) => `${p.field}: ${p.problem}`);
  return new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`, problems);
}

/** Parses an environment with `schema`; every problem is listed, each as `VARIABLE: problem`. */
export function readEnv<T>(schema: v.GenericSchema<unknown, T>, env: Readonly<Record<string, string | undefined>>): T {
  const result = v.safeParse(schema, env, { message: inWords });
  if (result.success) return result.output;
  throw configError(result.issues);
}

/** Reads settings and resources together, so that one message lists every problem of both. */
function readBoth<S, R>(
  settings: v.GenericSchema<unknown, S>,
  resources: v.GenericSchema<unknown, R>,
  env: Readonly<Record<string, string | undefined>>,
): S & R {
  const words = { message: inWords };
  const both = [v.safeParse(settings, env, words), v.safeParse(resources, env, words)] as const;
  if (both[0].success && both[1].success) return { ...both[0].output, ...both[1].output };
  throw configError(both.flatMap((result) => (result.success ? [] : result.issues)));
}

/** Ingest's settings: what the team config decides. */
export const readIngestSettings = (env: Readonly<Record<string, string | undefined>>): IngestSettings =>
  readEnv(IngestSettingsSchema, env);
/** Deliver's settings: what the team config decides. */
export const readDeliverSettings = (env: Readonly<Record<string, string | undefined>>): DeliverSettings =>
  readEnv(DeliverSettingsSchema, env);

/** Ingest's whole Lambda environment. */
export const readIngestConfig = (env: NodeJS.ProcessEnv = process.env): IngestSettings & IngestResources =>
  readBoth(IngestSettingsSchema, IngestResourcesSchema, env);
/** Deliver's whole Lambda environment. */
export const readDeliverConfig = (env: NodeJS.ProcessEnv = process.env): DeliverSettings & DeliverResources =>
  readBoth(DeliverSettingsSchema, DeliverResourcesSchema, env);

/** The per-source settings with the stack's bucket rules handed to the `s3` source. */
function withS3Buckets(settings: Readonly<Record<string, unknown>>, buckets: readonly S3BucketRule[]): Record<string, unknown> {
  const own = settings.s3 && typeof settings.s3 === 'object' ? (settings.s3 as Record<string, unknown>) : {};
  return { ...settings, s3: { ...own, buckets } };
}

/** The buckets whose objects may be attached: the wired ones, and those alerts may reference. */
function attachableBuckets(wired: readonly S3BucketRule[], referenced: readonly string[]): ReadonlySet<string> {
  return new Set([...wired.map((bucket) => bucket.name), ...referenced]);
}

/**
 * The team config (`teams/<team>.json`): what one team's relay stack is made of. Validated once, at synth time, so a
 * typo fails `cdk synth` with the field and the problem instead of deploying a relay that cannot deliver. Every value
 * the functions parse at start-up is checked here with the functions' own schema (channels, source settings, bucket
 * names, URL hosts, modes), or a stricter one, so that what synth accepts the functions accept.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import * as v from 'valibot';
import { BucketNameSchema } from '../lambda/model/s3-reference';
import { parseAllowlist } from '../lambda/net/host-allowlist';
import {
  ATTACHMENT_FAILURE_MODES,
  ChannelsSchema,
  DEFAULT_DIGEST_THRESHOLD,
  DEFAULT_INBOUND_SECRET_GRACE_MINUTES,
  DEFAULT_SPACES_API_URL,
  MAX_INBOUND_SECRET_GRACE_MINUTES,
  RESOLVE_MODES,
  SPACES_MAX_FILE_BYTES,
} from '../lambda/runtime/config';
import { MentionsSchema } from '../lambda/render/mentions';
import { RoutesSchema, unknownChannels } from '../lambda/routing/routes';
import { inWords, issuePathAt, issuePathOf, problemsOf } from '../lambda/runtime/validate';
import { SOURCES } from '../lambda/sources';
import { checkSourceSettings } from '../lambda/sources/settings';
import { checkTemplates } from '../lambda/render/templates';
import { API_BURST_LIMIT, API_RATE_LIMIT, DELIVER_BATCH_SIZE } from './limits';
import { templateSampleProblems } from './template-samples';

/** Sources that senders reach over HTTP, `POST /hooks/{source}`: the registry's sources with a webhook. */
export const ROUTE_SOURCES = SOURCES.filter((source) => source.webhook).map((source) => source.name);
/** Sources that arrive as AWS events through the queue, with no route; the stack wires them (`awsEvents`, `s3Buckets`). */
export const AWS_SOURCES = SOURCES.filter((source) => !source.webhook).map((source) => source.name);

/** The team whose config documents every field; it always synthesizes, and is never taken for a real team. */
export const EXAMPLE_TEAM = 'example';

/** The longest team name: `SpacesRelay-<team>` and the names made from it stay well within AWS's limits. */
const TEAM_NAME_MAX = 64;

/** A config that cannot be used; the message names the file and every bad field. */
export class TeamConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TeamConfigError';
  }
}

// JSON has no comments: any key that starts with "//" is one, so that teams/example.json can document itself.
const isComment = (key: string): boolean => key.startsWith('//');

// valibot's object schemas take an array as an object; a team config never means one.
const NotAnArray = v.custom<unknown>((input) => !Array.isArray(input), 'must be an object, not a list');

/** `a, b or c` */
const alternatives = (options: readonly string[]): string => `${options.slice(0, -1).join(', ')} or ${options.at(-1)}`;

/**
 * The message of a missing field: `required`, and what the field holds when its schema describes it (`v.description`),
 * so that the message says what to write.
 */
function requiredField(issue: v.BaseIssue<unknown>, entries: v.ObjectEntries): string | undefined {
  const key = issue.input === undefined && issue.path?.length === 1 ? issue.path[0]!.key : undefined;
  if (typeof key !== 'string' || !Object.hasOwn(entries, key)) return undefined;
  const what = v.getDescription(entries[key]!);
  return what ? `required, ${what}` : 'required';
}

/** An object of known fields (and comments); any other field is named, followed by the known ones. */
const section = <E extends v.ObjectEntries>(entries: E) => {
  const known = `is not a known field (known fields: ${Object.keys(entries).join(', ')})`;
  return v.pipe(
    NotAnArray,
    v.looseObject(entries, (issue) => requiredField(issue, entries) ?? inWords(issue)),
    v.rawCheck(({ dataset, addIssue }) => {
      const value: unknown = dataset.value;
      if (typeof value !== 'object' || value === null) return;
      for (const key of Object.keys(value)) {
        if (!(key in entries) && !isComment(key)) addIssue({ message: known, path: issuePathOf(value, key) });
      }
    }),
  );
};

const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
// A complete ARN ends in the 6-character suffix Secrets Manager adds. Partial ARNs are refused: one whose name ends in
// a hyphen and six characters would pass for complete, and be granted as an exact ARN that matches nothing.
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/;
const SecretReference = v.pipe(
  v.string(),
  v.check(
    (ref) => (ref.startsWith('arn:') ? SECRET_ARN.test(ref) : SECRET_NAME.test(ref)),
    'must be a Secrets Manager secret name, or its complete ARN (ending in the 6-character suffix)',
  ),
);

// Spaces ids are MongoDB ObjectIds. Only here: local mode stands in with ids like `local-space`, so the functions take
// any non-empty id, and synth, which only ever builds relays that post to real spaces, is the stricter of the two.
const SPACE_ID = /^[0-9a-f]{24}$/i;
/** The functions' `ChannelsSchema`, each space id also shaped like a real one. */
const TeamChannelsSchema = v.pipe(
  ChannelsSchema,
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    for (const [channel, spaceId] of Object.entries(dataset.value)) {
      // An empty id is already refused by ChannelsSchema, in its own words.
      if (spaceId !== '' && !SPACE_ID.test(spaceId)) {
        addIssue({
          message: "must be a Spaces space id, 24 hexadecimal characters (the last part of the space's address)",
          path: issuePathOf(dataset.value, channel),
        });
      }
    }
  }),
  v.description('an object of channel name → Spaces space id with a "default" channel'),
);

const Names = v.optional(v.array(v.pipe(v.string(), v.nonEmpty('must not be empty'))), []);
const WholeNumber = (min: number, max: number, whyMax = '') =>
  v.pipe(
    v.number(),
    v.integer('must be a whole number'),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}${whyMax}`),
  );
// A key prefix or suffix, taken literally: S3 notification filters match "*" as a star, and the read grant escapes it.
const KeyFilter = v.pipe(
  v.string(),
  v.nonEmpty('must not be empty (leave it out instead)'),
  v.maxLength(1024, 'must be at most 1024 characters'),
  v.excludes('*', 'is matched literally by S3; wildcards are not supported'),
  // CDK cannot acknowledge the read grant's cdk-nag finding for a resource with brackets or braces.
  v.regex(
    /^[^{}[\]]*$/,
    'must not contain { } [ or ]: S3 advises against them in keys, and the read grant cannot name them',
  ),
);
// Each entry alone, with deliver's own parser: the stack joins them with commas into ATTACHMENT_URL_HOSTS.
const UrlHost = v.pipe(
  v.string(),
  v.check(
    (entry) => !entry.includes(',') && parsesAsAllowlist(entry),
    'must be a host, optionally with a port: grafana.example.com, *.example.com, grafana.example.com:8443 or http://grafana.internal:3000',
  ),
);
/**
 * CloudWatch Logs' retention periods in days (CDK's `RetentionDays`; 9999 is "never expire"), spelled out so that
 * reading a team config (the command line does) does not load the CDK library. A test holds it to CDK's list.
 */
export const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653, 9999] as const;
/** The functions' log levels (Powertools' `POWERTOOLS_LOG_LEVEL`). */
export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;

/** The name of a team's stack. */
export const stackNameFor = (team: string): string => `SpacesRelay-${team}`;

const BucketName = v.pipe(BucketNameSchema, v.description('the name of an existing S3 bucket'));
const KmsKeyArn = v.pipe(
  v.string(),
  v.regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/, 'must be a KMS key ARN (…:key/<id>)'),
);

const BucketWatchSchema = section({
  name: BucketName,
  prefix: v.optional(KeyFilter),
  suffix: v.optional(KeyFilter),
  // Checked against `channels` below, whose names ChannelsSchema validates.
  channel: v.optional(v.string()),
  kmsKeyArn: v.optional(KmsKeyArn),
});
/** One bucket (prefix, suffix) whose new objects are posted, and read by deliver. */
export type BucketWatch = v.InferOutput<typeof BucketWatchSchema>;

/** A bucket (or only its keys under a prefix) whose objects alerts may reference, read-only, to be attached. */
const AttachmentBucketSchema = section({
  name: BucketName,
  prefix: v.optional(KeyFilter),
  kmsKeyArn: v.optional(KmsKeyArn),
});

// Lower case: API Gateway refuses upper-case letters in a custom domain name.
const DOMAIN_NAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const DomainNameText = v.pipe(
  v.string(),
  v.regex(
    DOMAIN_NAME,
    'must be a domain name such as relay.example.com: lower-case letters, digits and hyphens, in dot-separated labels',
  ),
);
const CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):(\d{12}):certificate\/[A-Za-z0-9-]+$/;

/** A custom domain for the webhook API; its region and account are checked against the stack's below. */
const DomainSchema = section({
  name: v.pipe(DomainNameText, v.description('the domain name senders post to, such as relay.example.com')),
  certificateArn: v.pipe(
    v.string(),
    v.regex(CERTIFICATE_ARN, 'must be an ACM certificate ARN: arn:aws:acm:<region>:<account>:certificate/<id>'),
    v.description("the ARN of an ACM certificate for the name, in the stack's region"),
  ),
  hostedZoneId: v.optional(
    v.pipe(
      v.string(),
      v.regex(
        /^Z[A-Z0-9]{1,31}$/,
        'must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ (without /hostedzone/)',
      ),
    ),
  ),
  // Route 53 writes zone names with a final dot; either way is taken.
  zoneName: v.optional(v.pipe(v.string(), v.transform((name) => name.replace(/\.$/, '')), DomainNameText)),
});
/** The webhook API's custom domain, as the team config gives it. */
export type Domain = v.InferOutput<typeof DomainSchema>;

const AwsEventsSchema = section({
  alarmStateChanges: v.optional(section({ alarmNamePrefixes: Names })),
  codebuild: v.optional(section({ projects: Names })),
  codepipeline: v.optional(section({ pipelines: Names })),
});
/** The EventBridge rules to create; an empty filter list means every alarm, project or pipeline of the account. */
export type AwsEvents = v.InferOutput<typeof AwsEventsSchema>;

/**
 * `sourceSettings`, checked by each source's own schema exactly as the functions check `SOURCE_SETTINGS`, and passed on
 * as written less its "//" comments (the sources' schemas are strict: they would refuse them). The `s3` source's
 * bucket rules are the stack's to hand over, from `s3Buckets`.
 */
const SourceSettingsSchema = v.pipe(
  NotAnArray,
  v.record(v.string(), v.unknown()),
  v.transform(withoutComments),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const settings = dataset.value;
    const s3 = settings.s3;
    if (typeof s3 === 'object' && s3 !== null && Object.hasOwn(s3, 'buckets')) {
      addIssue({
        message: 'is set by the stack from s3Buckets: list the buckets there',
        path: issuePathOf(settings, 's3', 'buckets'),
      });
    }
    const checked = checkSourceSettings(settings);
    if (checked.ok) return;
    for (const { field, problem } of checked.problems) addIssue({ message: problem, path: issuePathAt(settings, field) });
  }),
);

/**
 * `templates`, checked and compiled with the functions' own `checkTemplates` (a template that does not parse is named
 * with its line and column) and passed on without "//" comments, at any depth. Their channels, and how they render
 * against each source's samples, are checked with the rest of the config below.
 */
const TemplatesSchema = v.pipe(
  NotAnArray,
  v.record(v.string(), v.unknown()),
  v.transform((templates) => withoutCommentsDeep(templates) as Record<string, unknown>),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const checked = checkTemplates(dataset.value, SOURCES.map((source) => source.name));
    if (checked.ok) return;
    for (const { field, problem } of checked.problems) addIssue({ message: problem, path: issuePathAt(dataset.value, field) });
  }),
);

/** A list in which each entry may appear once; a repeated one is named where it repeats. */
const Distinct = <T extends v.GenericSchema<unknown, string>>(item: T) =>
  v.pipe(
    v.array(item),
    v.rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      const entries = dataset.value;
      entries.forEach((entry, index) => {
        if (entries.indexOf(entry) < index) {
          addIssue({ message: `repeats ${JSON.stringify(entry)}`, path: issuePathOf(entries, index) });
        }
      });
    }),
  );
// The region is a capture group: an alarm publishes only to a topic in its own region (checked below).
const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:([a-z0-9-]+):\d{12}:[A-Za-z0-9_-]{1,256}$/;
/** The region of an SNS topic ARN the schema accepted. */
const topicRegion = (arn: string): string => SNS_TOPIC_ARN.exec(arn)![1]!;

/**
 * Who hears of the relay's own alarms without going through the relay: the alarm topic's e-mail and HTTPS
 * subscriptions, and existing topics the alarms publish to directly (SNS cannot subscribe a topic to a topic).
 */
const AlarmSubscriptionsSchema = section({
  emails: v.optional(
    Distinct(v.pipe(v.string(), v.email('must be an e-mail address, such as oncall@example.com'))),
    [],
  ),
  topicArns: v.optional(
    Distinct(
      v.pipe(
        v.string(),
        v.regex(SNS_TOPIC_ARN, 'must be the ARN of a standard SNS topic: arn:aws:sns:<region>:<account>:<name>'),
      ),
    ),
    [],
  ),
  httpsEndpoints: v.optional(
    Distinct(
      v.pipe(
        v.string(),
        v.check(
          (url) => url.startsWith('https://') && URL.canParse(url),
          'must be an https:// URL: alarms are not sent in clear text',
        ),
      ),
    ),
    [],
  ),
});
/** Where the relay's alarms go besides the team's space. */
export type AlarmSubscriptions = v.InferOutput<typeof AlarmSubscriptionsSchema>;

/** The team config's fields; the construct's props mirror them (`SpacesRelayProps`). */
export const TEAM_CONFIG_FIELDS = {
  account: v.optional(v.pipe(v.string(), v.regex(/^\d{12}$/, 'must be a 12-digit AWS account id'))),
  region: v.optional(v.pipe(v.string(), v.regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as eu-west-1'))),
  spacesApiUrl: v.optional(
    v.pipe(v.string(), v.url('must be an absolute URL'), v.startsWith('https://', 'must be an https URL')),
    DEFAULT_SPACES_API_URL,
  ),
  channels: TeamChannelsSchema,
  tokenSecret: v.pipe(
    SecretReference,
    v.description('the name or ARN of a Secrets Manager secret holding the Spaces token'),
  ),
  inboundSecret: v.optional(SecretReference),
  inboundSecretGraceMinutes: v.optional(
    WholeNumber(0, MAX_INBOUND_SECRET_GRACE_MINUTES, ' minutes (a week)'),
    DEFAULT_INBOUND_SECRET_GRACE_MINUTES,
  ),
  sources: v.pipe(
    v.array(
      v.picklist(
        ROUTE_SOURCES,
        `must be one of ${ROUTE_SOURCES.join(', ')} (${AWS_SOURCES.join(', ')} arrive through awsEvents and s3Buckets)`,
      ),
    ),
    v.check((sources) => new Set(sources).size === sources.length, 'lists a source twice'),
    v.description('a list of webhook sources (may be empty)'),
  ),
  sourceSettings: v.optional(SourceSettingsSchema, {}),
  templates: v.optional(TemplatesSchema, {}),
  s3Buckets: v.optional(v.array(BucketWatchSchema), []),
  awsEvents: v.optional(AwsEventsSchema, {}),
  attachments: v.optional(
    section({
      maxBytes: v.optional(WholeNumber(0, SPACES_MAX_FILE_BYTES), SPACES_MAX_FILE_BYTES),
      urlHosts: v.optional(v.array(UrlHost), []),
      s3Buckets: v.optional(v.array(AttachmentBucketSchema), []),
      onFailure: v.optional(
        v.picklist(ATTACHMENT_FAILURE_MODES, `must be ${alternatives(ATTACHMENT_FAILURE_MODES)}`),
        'note',
      ),
    }),
    {},
  ),
  alarmSubscriptions: v.optional(AlarmSubscriptionsSchema, {}),
  api: v.optional(
    section({
      rateLimit: v.optional(WholeNumber(1, 10_000), API_RATE_LIMIT),
      burstLimit: v.optional(WholeNumber(1, 5_000), API_BURST_LIMIT),
    }),
    {},
  ),
  domain: v.optional(DomainSchema),
  resolveMode: v.optional(v.picklist(RESOLVE_MODES, `must be ${alternatives(RESOLVE_MODES)}`), 'edit-and-post'),
  // Deliver folds storms within one batch of queue records: a higher threshold would never be reached.
  digestThreshold: v.optional(
    WholeNumber(1, DELIVER_BATCH_SIZE, ': deliver folds storms within one batch of that many queued notifications'),
    DEFAULT_DIGEST_THRESHOLD,
  ),
  // Routes and drops, first match wins: the functions' own schema (`lambda/routing/routes.ts`); channels checked below.
  routes: v.optional(RoutesSchema, []),
  // Who a message calls on: the functions' own schema (`lambda/render/mentions.ts`).
  mentions: v.optional(MentionsSchema),
  logLevel: v.optional(v.picklist(LOG_LEVELS, `must be ${alternatives(LOG_LEVELS)}`), 'INFO'),
  logRetentionDays: v.optional(
    v.pipe(
      v.number(),
      v.check((days) => (RETENTION_DAYS as readonly number[]).includes(days), `must be one of ${RETENTION_DAYS.join(', ')}`),
    ),
    30,
  ),
};

/** The team config schema: the fields, then the checks that span several fields. */
export const TeamConfigSchema = v.pipe(
  section(TEAM_CONFIG_FIELDS),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const config = dataset.value;
    if (config.inboundSecret !== undefined && config.inboundSecret === config.tokenSecret) {
      addIssue({
        message: 'must differ from tokenSecret: senders would hold the Spaces token',
        path: issuePathOf(config, 'inboundSecret'),
      });
    }
    config.alarmSubscriptions.topicArns.forEach((arn, index) => {
      if (config.region !== undefined && topicRegion(arn) !== config.region) {
        addIssue({
          message: `is in ${topicRegion(arn)}, the stack in ${config.region}: CloudWatch alarms publish only to topics in their own region`,
          path: issuePathOf(config, 'alarmSubscriptions', 'topicArns', index),
        });
      }
    });
    if (config.domain) {
      checkDomain(config.domain, config, (message, key) =>
        addIssue({ message, path: issuePathOf(config, 'domain', key) }),
      );
    }
    for (const index of unknownChannels(config.routes, config.channels)) {
      addIssue({
        message: `"${config.routes[index]!.channel}" is not one of the channels (${Object.keys(config.channels).join(', ')})`,
        path: issuePathOf(config, 'routes', index, 'channel'),
      });
    }
    checkTemplateUse(config, (message, field) => addIssue({ message, path: issuePathAt(config, `templates.${field}`) }));
    config.s3Buckets.forEach((watch, index) => {
      if (watch.channel !== undefined && !(watch.channel in config.channels)) {
        addIssue({
          message: `"${watch.channel}" is not one of the channels (${Object.keys(config.channels).join(', ')})`,
          path: issuePathOf(config, 's3Buckets', index, 'channel'),
        });
      }
      const earlier = config.s3Buckets.findIndex((other, at) => at < index && filtersOverlap(other, watch));
      if (earlier !== -1) {
        addIssue({
          message: `overlaps s3Buckets.${earlier}: same bucket, and one prefix/suffix pair covers the other; S3 refuses overlapping notifications`,
          path: issuePathOf(config, 's3Buckets', index),
        });
      }
    });
  }),
);
/** A validated team config, defaults filled in. */
export type TeamConfig = v.InferOutput<typeof TeamConfigSchema>;

/** A team: its name (the file name, and the stack name suffix), where its config came from, and the config. */
export interface Team {
  readonly name: string;
  /** The file the config was read from, as messages about it name it (`teams/payments.json`). */
  readonly origin: string;
  readonly config: TeamConfig;
}

/** Validates a parsed config; `origin` (the file) heads the error, followed by one `field: problem` line each. */
export function parseTeamConfig(input: unknown, origin: string): TeamConfig {
  const result = v.safeParse(TeamConfigSchema, input, { message: inWords });
  if (result.success) return result.output;
  const lines = problemsOf(result.issues).map(({ field, problem }) => `${field}: ${problem}`);
  throw new TeamConfigError(`${origin} is not a valid team config:\n  ${lines.join('\n  ')}`);
}

/** Refuses a team name that cannot name a stack and the names made from it. */
export function checkTeamName(name: string): void {
  if (name.length > TEAM_NAME_MAX) {
    throw new TeamConfigError(`team "${name.slice(0, 20)}…": too long (at most ${TEAM_NAME_MAX} characters)`);
  }
  if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(name)) {
    throw new TeamConfigError(
      `team "${name}": a team name starts with a letter and has only letters, digits and hyphens`,
    );
  }
}

/** Reads and validates `<dir>/<name>.json`. */
export function readTeam(dir: string, name: string): Team {
  checkTeamName(name);
  const file = join(dir, `${name}.json`);
  const origin = relative(process.cwd(), file);
  if (!existsSync(file)) {
    throw new TeamConfigError(`no team config ${origin} (teams found: ${teamNames(dir).join(', ') || 'none'})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new TeamConfigError(`${origin} is not valid JSON: ${(error as Error).message}`);
  }
  return { name, origin, config: parseTeamConfig(json, origin) };
}

/**
 * The teams to synthesize: the one asked for (`-c team=<name>`), else every team in `dir` but the example; a fresh
 * clone, which has only the example, synthesizes the example so that `cdk synth` shows what a stack looks like.
 */
export function readTeams(dir: string, requested?: string): Team[] {
  if (requested !== undefined) return [readTeam(dir, requested)];
  const real = teamNames(dir).filter((name) => name !== EXAMPLE_TEAM);
  return (real.length > 0 ? real : [EXAMPLE_TEAM]).map((name) => readTeam(dir, name));
}

function teamNames(dir: string): string[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => basename(file, '.json'))
    .sort();
}

/** Templates name only the team's channels, and render against their sources' samples (`template-samples.ts`). */
function checkTemplateUse(
  config: Pick<TeamConfig, 'templates' | 'channels' | 'sourceSettings'>,
  problem: (message: string, field: string) => void,
): void {
  for (const [source, settings] of Object.entries(config.templates)) {
    const channels = (settings as { channels?: unknown }).channels;
    for (const channel of Object.keys(typeof channels === 'object' && channels !== null ? channels : {})) {
      if (!Object.hasOwn(config.channels, channel)) {
        problem(`"${channel}" is not one of the channels (${Object.keys(config.channels).join(', ')})`, `${source}.channels.${channel}`);
      }
    }
  }
  const checked = checkTemplates(config.templates, SOURCES.map((source) => source.name));
  if (!checked.ok) return;
  for (const { field, problem: message } of templateSampleProblems(checked.templates, config.sourceSettings)) problem(message, field);
}

/** `value` without "//" comment keys, in every object it holds. */
function withoutCommentsDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutCommentsDeep);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => !isComment(key)).map(([key, inner]) => [key, withoutCommentsDeep(inner)]));
}

function parsesAsAllowlist(entry: string): boolean {
  try {
    return parseAllowlist(entry).length === 1;
  } catch {
    return false;
  }
}

/** Per-source settings without "//" comments, both beside the sources and inside each source's settings. */
function withoutComments(settings: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const strip = (object: object) => Object.entries(object).filter(([key]) => !isComment(key));
  return Object.fromEntries(
    strip(settings).map(([name, value]) => [
      name,
      typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.fromEntries(strip(value)) : value,
    ]),
  );
}

/**
 * What a custom domain must agree with: a regional API takes a certificate of its own region and account (API Gateway
 * refuses any other), and the alias record goes into the zone that holds the name. A stack without a region in the
 * team config deploys where the deployer's credentials point, so synth cannot check the region (the stack says so).
 */
function checkDomain(
  domain: Domain,
  where: { readonly account?: string; readonly region?: string },
  problem: (message: string, key: keyof Domain) => void,
): void {
  const [, region, account] = CERTIFICATE_ARN.exec(domain.certificateArn) ?? [];
  if (where.region !== undefined && region !== where.region) {
    problem(
      `is in ${region}, but the stack deploys to ${where.region}: a regional API needs its certificate in its own region (request or import it there)`,
      'certificateArn',
    );
  }
  if (where.account !== undefined && account !== where.account) {
    problem(`belongs to account ${account}, but the stack deploys to account ${where.account}`, 'certificateArn');
  }
  if ((domain.hostedZoneId === undefined) !== (domain.zoneName === undefined)) {
    problem(
      domain.hostedZoneId === undefined
        ? 'required with zoneName: the id of the Route 53 hosted zone to add the alias record to'
        : 'required with hostedZoneId: the domain name of that zone, such as example.com',
      domain.hostedZoneId === undefined ? 'hostedZoneId' : 'zoneName',
    );
  }
  const zone = domain.zoneName;
  if (zone !== undefined && domain.name !== zone && !domain.name.endsWith(`.${zone}`)) {
    problem(`is not in the zone ${zone}: the alias record can only be made there for a name under it`, 'name');
  }
}

function filtersOverlap(a: BucketWatch, b: BucketWatch): boolean {
  const covers = (x = '', y = '', test: (long: string, short: string) => boolean) => test(x, y) || test(y, x);
  return (
    a.name === b.name &&
    covers(a.prefix, b.prefix, (long, short) => long.startsWith(short)) &&
    covers(a.suffix, b.suffix, (long, short) => long.endsWith(short))
  );
}

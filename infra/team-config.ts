/**
 * The team config (`teams/<team>.json`): what one team's relay stack is made of. Validated once, at synth time, so a
 * typo fails `cdk synth` with the field and the problem instead of deploying a relay that cannot deliver.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as v from 'valibot';
import { parseAllowlist } from '../lambda/net/host-allowlist';
import {
  ATTACHMENT_FAILURE_MODES,
  ChannelsSchema,
  DEFAULT_SPACES_API_URL,
  SPACES_MAX_FILE_BYTES,
} from '../lambda/runtime/config';
import { problemsOf } from '../lambda/runtime/validate';
import { DELIVER_BATCH_SIZE } from './limits';

/** Sources that senders reach over HTTP, `POST /hooks/{source}`: the route segments ingest knows. */
export const ROUTE_SOURCES = [
  'alertmanager',
  'grafana',
  'generic',
  'github',
  'gitlab',
  'jenkins',
  'circleci',
  'sns',
] as const;
/** Sources that arrive as AWS events through the queue, with no route; the stack wires them (`awsEvents`, `s3Buckets`). */
export const AWS_SOURCES = ['cloudwatch', 'codebuild', 'codepipeline', 's3'] as const;

/** The team whose config documents every field; it always synthesizes, and is never taken for a real team. */
export const EXAMPLE_TEAM = 'example';

/** A config that cannot be used; the message names the file and every bad field. */
export class TeamConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TeamConfigError';
  }
}

// valibot's object schemas take an array as an object; a team config never means one.
const NotAnArray = (message: string) => v.custom<unknown>((input) => !Array.isArray(input), message);

// JSON has no comments: any key that starts with "//" is one, so that teams/example.json can document itself.
const section = <E extends v.ObjectEntries>(entries: E) =>
  v.pipe(
    NotAnArray('must be an object, not an array'),
    v.looseObject(entries, (issue) => `must be an object, not ${issue.received}`),
    v.rawCheck(({ dataset, addIssue }) => {
      const value: unknown = dataset.value;
      if (typeof value !== 'object' || value === null) return;
      for (const key of Object.keys(value)) {
        if (!(key in entries) && !key.startsWith('//'))
          addIssue({ message: 'is not a known field', path: issuePath(value, key) });
      }
    }),
  );

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

const Names = v.optional(v.array(v.pipe(v.string(), v.nonEmpty('must not be empty'))), []);
const WholeNumber = (min: number, max: number, whyMax = '') =>
  v.pipe(
    v.number('must be a number'),
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
const UrlHost = v.pipe(
  v.string(),
  v.check(
    (entry) => !entry.includes(',') && parsesAsAllowlist(entry),
    'must be a host, optionally with a port: grafana.example.com, *.example.com, grafana.example.com:8443 or http://grafana.internal:3000',
  ),
);
const RETENTION_DAYS = Object.values(RetentionDays).filter((days): days is number => typeof days === 'number');

const BucketName = v.pipe(
  v.string(),
  v.regex(
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
    'must be an S3 bucket name (3-63 lower-case letters, digits, dots, hyphens)',
  ),
);
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

const AwsEventsSchema = section({
  alarmStateChanges: v.optional(section({ alarmNamePrefixes: Names })),
  codebuild: v.optional(section({ projects: Names })),
  codepipeline: v.optional(section({ pipelines: Names })),
});
/** The EventBridge rules to create; an empty filter list means every alarm, project or pipeline of the account. */
export type AwsEvents = v.InferOutput<typeof AwsEventsSchema>;

const TeamConfigObject = section({
  account: v.optional(v.pipe(v.string(), v.regex(/^\d{12}$/, 'must be a 12-digit AWS account id'))),
  region: v.optional(v.pipe(v.string(), v.regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as eu-west-1'))),
  spacesApiUrl: v.optional(
    v.pipe(v.string(), v.url('must be an absolute URL'), v.startsWith('https://', 'must be an https URL')),
    DEFAULT_SPACES_API_URL,
  ),
  channels: ChannelsSchema,
  tokenSecret: SecretReference,
  inboundSecret: v.optional(SecretReference),
  sources: v.pipe(
    v.array(
      v.picklist(
        ROUTE_SOURCES,
        `must be one of ${ROUTE_SOURCES.join(', ')} (${AWS_SOURCES.join(', ')} arrive through awsEvents and s3Buckets)`,
      ),
    ),
    v.check((sources) => new Set(sources).size === sources.length, 'lists a source twice'),
  ),
  sourceSettings: v.optional(
    v.record(
      v.picklist([...ROUTE_SOURCES, ...AWS_SOURCES], 'is not a source name'),
      v.pipe(NotAnArray('must be an object of settings'), v.looseObject({}, 'must be an object of settings')),
    ),
    {},
  ),
  s3Buckets: v.optional(v.array(BucketWatchSchema), []),
  awsEvents: v.optional(AwsEventsSchema, {}),
  attachments: v.optional(
    section({
      maxBytes: v.optional(WholeNumber(0, SPACES_MAX_FILE_BYTES), SPACES_MAX_FILE_BYTES),
      urlHosts: v.optional(v.array(UrlHost), []),
      s3Buckets: v.optional(v.array(AttachmentBucketSchema), []),
      onFailure: v.optional(
        v.picklist(ATTACHMENT_FAILURE_MODES, `must be ${ATTACHMENT_FAILURE_MODES.join(' or ')}`),
        'note',
      ),
    }),
    {},
  ),
  api: v.optional(
    section({
      rateLimit: v.optional(WholeNumber(1, 10_000), 10),
      burstLimit: v.optional(WholeNumber(1, 5_000), 50),
    }),
    {},
  ),
  resolveMode: v.optional(
    v.picklist(['edit', 'post', 'edit-and-post'], 'must be edit, post or edit-and-post'),
    'edit-and-post',
  ),
  // Deliver folds storms within one batch of queue records: a higher threshold would never be reached.
  digestThreshold: v.optional(
    WholeNumber(1, DELIVER_BATCH_SIZE, ': deliver folds storms within one batch of that many queued notifications'),
    20,
  ),
  logLevel: v.optional(v.picklist(['DEBUG', 'INFO', 'WARN', 'ERROR'], 'must be DEBUG, INFO, WARN or ERROR'), 'INFO'),
  logRetentionDays: v.optional(
    v.pipe(
      v.number('must be a number'),
      v.check((days) => RETENTION_DAYS.includes(days), `must be one of ${RETENTION_DAYS.join(', ')}`),
    ),
    30,
  ),
});

/** The team config schema: the fields, then the checks that span several fields. */
export const TeamConfigSchema = v.pipe(
  TeamConfigObject,
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const config = dataset.value;
    if (config.inboundSecret !== undefined && config.inboundSecret === config.tokenSecret) {
      addIssue({
        message: 'must differ from tokenSecret: senders would hold the Spaces token',
        path: issuePath(config, 'inboundSecret'),
      });
    }
    config.s3Buckets.forEach((watch, index) => {
      if (watch.channel !== undefined && !(watch.channel in config.channels)) {
        addIssue({
          message: `"${watch.channel}" is not one of the channels (${Object.keys(config.channels).join(', ')})`,
          path: issuePath(config, 's3Buckets', index, 'channel'),
        });
      }
      const earlier = config.s3Buckets.findIndex((other, at) => at < index && filtersOverlap(other, watch));
      if (earlier !== -1) {
        addIssue({
          message: `overlaps s3Buckets.${earlier}: same bucket, and one prefix/suffix pair covers the other; S3 refuses overlapping notifications`,
          path: issuePath(config, 's3Buckets', index),
        });
      }
    });
  }),
);
/** A validated team config, defaults filled in. */
export type TeamConfig = v.InferOutput<typeof TeamConfigSchema>;

/** A team: its name (the file name, and the stack name suffix) and its config. */
export interface Team {
  readonly name: string;
  readonly config: TeamConfig;
}

/** Validates a parsed config; `origin` (the file) heads the error, followed by one `field: problem` line each. */
export function parseTeamConfig(input: unknown, origin: string): TeamConfig {
  const result = v.safeParse(TeamConfigSchema, input);
  if (result.success) return result.output;
  const lines = problemsOf(result.issues).map(({ field, problem }) => `${field}: ${problem}`);
  throw new TeamConfigError(`${origin} is not a valid team config:\n  ${lines.join('\n  ')}`);
}

/** Reads and validates `<dir>/<name>.json`. */
export function readTeam(dir: string, name: string): Team {
  if (!/^[A-Za-z][A-Za-z0-9-]{0,63}$/.test(name)) {
    throw new TeamConfigError(
      `team "${name}": a team name starts with a letter and has only letters, digits and hyphens`,
    );
  }
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
  return { name, config: parseTeamConfig(json, origin) };
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

function parsesAsAllowlist(entry: string): boolean {
  try {
    return parseAllowlist(entry).length === 1;
  } catch {
    return false;
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

/** An issue path to a nested field, so that a cross-field problem is reported at the field it concerns. */
function issuePath(root: object, ...keys: (string | number)[]): [v.IssuePathItem, ...v.IssuePathItem[]] {
  let input: unknown = root;
  const items = keys.map((key): v.IssuePathItem => {
    const value = (input as Record<string | number, unknown>)[key];
    const item: v.IssuePathItem =
      typeof key === 'number'
        ? { type: 'array', origin: 'value', input: input as unknown[], key, value }
        : { type: 'object', origin: 'value', input: input as Record<string, unknown>, key, value };
    input = value;
    return item;
  });
  return items as [v.IssuePathItem, ...v.IssuePathItem[]];
}

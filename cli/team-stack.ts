/**
 * A team's deployed relay as the commands reach it: the team config (its region, spaces and token secret), AWS
 * clients for that region through the usual credential chain, and the stack's outputs, checked. Every AWS call of a
 * command goes through the clients made here, so that none of them lands in another region.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import * as v from 'valibot';
import { stackNameFor } from '../infra/team-config';
import { readTeam, type Team } from '../infra/team-config';
import { CliError, UsageError } from './errors';
import { readSecretText } from './team-secrets';

/** The AWS clients of one region. */
export interface AwsClients {
  readonly cloudFormation: CloudFormationClient;
  readonly sqs: SQSClient;
  readonly secretsManager: SecretsManagerClient;
  readonly sns: SNSClient;
}

/** What the commands depend on, so that tests can point them at moto_server and a local Spaces. */
export interface CliContext {
  /** Where `<team>.json` is read. */
  readonly teamsDir: string;
  /** Clients for a region; undefined leaves the region to the SDK (AWS_REGION, the profile). */
  readonly aws: (region: string | undefined) => AwsClients;
  /** Time between two looks while a command waits (a move task, a test message). */
  readonly pollIntervalMs: number;
  /** What `-` reads as a payload. */
  readonly stdin: () => Promise<Buffer>;
  /** Where Spaces is for a team: its config's `spacesApiUrl` (tests: a local Spaces). */
  readonly spacesApiUrl: (team: Team) => string;
}

/** Clients for `region` with the SDK's default credential chain (AWS_PROFILE, SSO, environment, instance role). */
export function awsClients(region: string | undefined): AwsClients {
  return {
    cloudFormation: new CloudFormationClient({ region }),
    sqs: new SQSClient({ region }),
    secretsManager: new SecretsManagerClient({ region }),
    sns: new SNSClient({ region }),
  };
}

/** All of the process's standard input. */
async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/**
 * The context of the installed command line: `teams/` of the working directory (the repository, where `cdk deploy`
 * runs too; a built package lives elsewhere), a look every five seconds, real AWS and Spaces.
 */
export const DEFAULT_CONTEXT: CliContext = {
  teamsDir: resolve('teams'),
  pollIntervalMs: 5_000,
  aws: awsClients,
  stdin: readStdin,
  spacesApiUrl: (team) => team.config.spacesApiUrl,
};

/** A team and the AWS clients of its stack's region. */
export interface TeamTarget {
  readonly team: Team;
  readonly stackName: string;
  readonly clients: AwsClients;
}

/** The team's config, read from the context's teams folder. */
export function teamOf(context: CliContext, teamName: string): Team {
  if (!existsSync(context.teamsDir)) {
    throw new CliError(`no team configs in ${context.teamsDir}: run spaces-relay in the repository, where teams/<team>.json is`);
  }
  return readTeam(context.teamsDir, teamName);
}

/** The team's config, and clients for `--region`, else its config's region, else the SDK's. */
export function openTeam(context: CliContext, teamName: string, region: string | undefined): TeamTarget {
  const team = teamOf(context, teamName);
  return { team, stackName: stackNameFor(team.name), clients: context.aws(region ?? team.config.region) };
}

/** The outputs the commands read, each checked; the stack has more (one webhook URL per source, the topics). */
const OUTPUT_SCHEMAS = {
  ApiUrl: v.pipe(v.string(), v.url()),
  InboundSecretArn: v.pipe(v.string(), v.nonEmpty()),
  AlarmTopicArn: v.pipe(v.string(), v.nonEmpty()),
  DeadLetterQueueUrl: v.pipe(v.string(), v.url()),
  DashboardUrl: v.pipe(v.string(), v.url()),
} as const;
export type OutputKey = keyof typeof OUTPUT_SCHEMAS;

/** How to create or update the team's stack, for the errors that need it. */
export const deployHint = (team: string): string => `deploy it with \`npx cdk deploy -c team=${team}\``;

/**
 * Refuses a webhook source the team has not turned on, before anything is posted: its deployed ingest would answer
 * 404. `purpose` says what needs the source, when the user did not name it.
 */
export function requireSource(team: Team, source: string, purpose?: string): void {
  if ((team.config.sources as readonly string[]).includes(source)) return;
  const deploy = deployHint(team.name);
  throw new CliError(
    purpose === undefined
      ? `${team.origin} does not turn on ${source}: add it to "sources" there, then ${deploy}`
      : `${purpose}: add "${source}" to "sources" in ${team.origin}, then ${deploy}`,
  );
}

/** The space of `channel`; a usage error naming the team's channels for one it does not have. */
export function channelSpace(team: Team, channel: string): string {
  const { channels } = team.config;
  // An own key only: `constructor` is no channel.
  if (!Object.hasOwn(channels, channel)) {
    throw new UsageError(`--channel ${channel} is not one of ${team.origin}'s channels (${Object.keys(channels).join(', ')})`);
  }
  return channels[channel]!;
}

/** The region the clients talk to, for messages. */
export const regionOf = (target: TeamTarget): Promise<string> => target.clients.cloudFormation.config.region();

/** The stack's outputs named by `keys`; a missing stack or output is an error that says how to deploy it. */
export async function stackOutputs<K extends OutputKey>(target: TeamTarget, keys: readonly K[]): Promise<Record<K, string>> {
  let outputs;
  try {
    const answer = await target.clients.cloudFormation.send(new DescribeStacksCommand({ StackName: target.stackName }));
    outputs = answer.Stacks?.[0]?.Outputs ?? [];
  } catch (error) {
    if (!/does not exist/i.test((error as Error).message)) throw error;
    throw new CliError(
      `stack ${target.stackName} not found in ${await regionOf(target)}: ${deployHint(target.team.name)}` +
        ', or pass --region <region> if it is elsewhere',
    );
  }
  const byKey = Object.fromEntries(outputs.map((output) => [output.OutputKey, output.OutputValue]));
  const schema = v.object(Object.fromEntries(keys.map((key) => [key, OUTPUT_SCHEMAS[key]])));
  const parsed = v.safeParse(schema, byKey);
  if (!parsed.success) {
    const missing = [...new Set(parsed.issues.map((issue) => v.getDotPath(issue)))].join(', ');
    throw new CliError(
      `stack ${target.stackName} has no usable ${missing} output: it was deployed by an older version; ${deployHint(target.team.name)}`,
    );
  }
  return parsed.output as Record<K, string>;
}

/** The API's address and the inbound secret: what posting to the team's stack as a sender takes. */
export interface SenderAccess<K extends OutputKey> {
  readonly outputs: Record<K | 'ApiUrl' | 'InboundSecretArn', string>;
  readonly inboundSecret: string;
}

/** The stack's ApiUrl and InboundSecretArn outputs (and those of `keys`), and the value of the inbound secret. */
export async function senderAccess<K extends OutputKey = never>(target: TeamTarget, keys: readonly K[] = []): Promise<SenderAccess<K>> {
  const outputs = await stackOutputs(target, ['ApiUrl', 'InboundSecretArn', ...keys]);
  const inboundSecret = await readSecretText(target.clients.secretsManager, outputs.InboundSecretArn, 'the inbound secret');
  return { outputs, inboundSecret };
}

/**
 * A team's dead letters, once their cause (a token, a space membership, a channel) is fixed: list them with their
 * failure reasons, or move them back to the delivery queue with SQS's own redrive, a message move task. The DLQ is the
 * team stack's `DeadLetterQueueUrl` output (stack `SpacesRelay-<team>` unless `--stack` says otherwise) and the
 * delivery queue is the one whose redrive policy points at it (SQS lists it); `--dlq-url` and `--queue-url` name them
 * instead. `npm run redrive` (redrive-main.ts) is the command line; the exported functions serve any other front end.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  GetQueueAttributesCommand,
  ListDeadLetterSourceQueuesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
  type ListMessageMoveTasksResultEntry,
  type Message,
} from '@aws-sdk/client-sqs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { stackNameFor } from '../infra/relay-stack';
import { readTeam, TeamConfigError } from '../infra/team-config';
import { REASON_ATTRIBUTE } from '../lambda/deliver/dead-letter';

/** What the command line asked for. */
export interface RedriveOptions {
  readonly help: boolean;
  readonly team?: string;
  readonly stack?: string;
  readonly queueUrl?: string;
  readonly dlqUrl?: string;
  readonly region?: string;
  readonly dryRun: boolean;
  /** How many dead letters a dry run lists at most. */
  readonly max: number;
  /** Follow the move task until it ends, rather than only start it. */
  readonly wait: boolean;
}

/** The AWS clients, all for one region. */
export interface RedriveClients {
  readonly sqs: SQSClient;
  readonly cloudFormation: CloudFormationClient;
}

/** The dead-letter queue and the queue its letters go back to. */
export interface RedriveQueues {
  readonly queueUrl: string;
  readonly dlqUrl: string;
}

/** A started move task: its handle (to cancel it) and the queues it moves between. */
export interface MoveTask {
  readonly taskHandle: string;
  readonly sourceArn: string;
  readonly destinationArn: string;
}

/** One dead letter as a dry run shows it. */
export interface DeadLetter {
  readonly messageId: string;
  /** Deliver's reason, or {@link RECEIVES_EXHAUSTED} when the queue's redrive policy moved it. */
  readonly reason: string;
  /** SQS's ApproximateReceiveCount, this look included. */
  readonly receives: number;
}

/** Where the command writes: lines for the user, and lines about what went wrong. */
export interface RedriveOutput {
  out(line: string): void;
  err(line: string): void;
}

/** What the command line depends on, so that tests can point it elsewhere. */
export interface RedriveContext {
  /** Where `<team>.json` is read for the region. */
  readonly teamsDir: string;
  /** Time between two looks at a running move task. */
  readonly pollIntervalMs: number;
  readonly clients: (region: string | undefined) => RedriveClients;
}

/** A problem the user can fix; printed as one line, without a stack trace. */
export class RedriveError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RedriveError';
  }
}

/** The command line itself is wrong; printed with the usage. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The reason shown for a dead letter that SQS moved after its receives ran out: it records none. */
export const RECEIVES_EXHAUSTED = 'receives exhausted';

const DEFAULT_MAX = 100;
// As the team config checks its region: a typo fails here, not as an unreachable endpoint.
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const FINISHED = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

/** An option as parseArgs takes it, with what the help says of it. */
interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly value?: string;
  readonly help: string;
}

const OPTIONS = {
  team: {
    type: 'string',
    value: '<team>',
    help: 'The team whose stack SpacesRelay-<team> holds the queues; teams/<team>.json gives the region.',
  },
  stack: {
    type: 'string',
    value: '<name>',
    help: 'The stack whose DeadLetterQueueUrl output is the DLQ, when it is not SpacesRelay-<team>.',
  },
  'dlq-url': { type: 'string', value: '<url>', help: 'The dead-letter queue, instead of the stack output.' },
  'queue-url': {
    type: 'string',
    value: '<url>',
    help: 'The queue to move the dead letters to, instead of the one whose redrive policy names the DLQ.',
  },
  region: {
    type: 'string',
    value: '<region>',
    help: "The AWS region, instead of the team config's region or else AWS_REGION or the profile's.",
  },
  'dry-run': { type: 'boolean', help: 'List the dead letters with their failure reasons and a count by reason; move nothing.' },
  max: { type: 'string', value: '<n>', help: `With --dry-run, list at most n dead letters (default ${DEFAULT_MAX}).` },
  'no-wait': { type: 'boolean', help: 'Start the move task and return, instead of following it until it completes or fails.' },
  help: { type: 'boolean', short: 'h', help: 'Print this help.' },
} as const satisfies Record<string, OptionSpec>;

const USAGE = [
  'usage: npm run redrive -- --team <team> [--dry-run [--max <n>]] [--no-wait] [--region <region>]',
  '       npm run redrive -- --dlq-url <url> [--queue-url <url>] [options]',
].join('\n');

/** The usage, what the command does, and one sentence for every option. */
export function helpText(): string {
  const rows = Object.entries(OPTIONS).map(([name, spec]: [string, OptionSpec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.value ? ` ${spec.value}` : ''}`;
    return [flag, spec.help] as const;
  });
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return [
    USAGE,
    '',
    "Moves a team's dead letters back to its delivery queue with an SQS message move task, and follows the task",
    'until it completes or fails. Run it once the cause of the failures is fixed; --dry-run shows what waits, and why.',
    '',
    'options:',
    ...rows.map(([flag, help]) => `  ${flag.padEnd(width)}  ${help}`),
  ].join('\n');
}

/** Reads the command line; a {@link UsageError} says what is wrong with it. */
export function parseOptions(argv: readonly string[]): RedriveOptions {
  const values = parseFlags(argv);
  if (values.help) return { help: true, dryRun: false, max: DEFAULT_MAX, wait: true };
  const options: RedriveOptions = {
    help: false,
    team: values.team,
    stack: values.stack,
    queueUrl: values['queue-url'],
    dlqUrl: values['dlq-url'],
    region: values.region,
    dryRun: values['dry-run'] ?? false,
    max: values.max === undefined ? DEFAULT_MAX : positiveWholeNumber('--max', values.max),
    wait: !(values['no-wait'] ?? false),
  };
  checkCombination(options, values);
  return options;
}

function parseFlags(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], options: OPTIONS, strict: true }).values;
  } catch (error) {
    // Node's messages go on with advice about positionals; the first sentence is the one that matters here.
    if (String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS')) {
      throw new UsageError((error as Error).message.split('. ')[0]!);
    }
    throw error;
  }
}

function positiveWholeNumber(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new UsageError(`${flag} must be a whole number above 0, not "${text}"`);
  }
  return value;
}

function checkCombination(options: RedriveOptions, given: { max?: string; 'no-wait'?: boolean }): void {
  if (!options.team && !options.stack && !options.dlqUrl) {
    throw new UsageError('say whose dead letters: --team <team>, --stack <name> or --dlq-url <url>');
  }
  if (options.region !== undefined && !REGION.test(options.region)) {
    throw new UsageError(`--region must be an AWS region such as eu-west-1, not "${options.region}"`);
  }
  // A move task takes every message in the queue: there is no count to give it.
  if (given.max !== undefined && !options.dryRun) throw new UsageError('--max only applies to --dry-run');
  if (given['no-wait'] && options.dryRun) throw new UsageError('--no-wait only applies to a redrive, not to --dry-run');
}

/** The region: `--region`, else the team config's `region`; undefined leaves it to the SDK (AWS_REGION, profile). */
export function regionFor(options: RedriveOptions, teamsDir: string): string | undefined {
  if (options.region !== undefined || options.team === undefined) return options.region;
  return readTeam(teamsDir, options.team).config.region;
}

/** Clients for one region, so that the stack and its queues are looked up in the same place. */
export function clientsFor(region: string | undefined): RedriveClients {
  return { sqs: new SQSClient({ region }), cloudFormation: new CloudFormationClient({ region }) };
}

/** The dead-letter queue (given, or the stack's output) and the queue to move its letters to (given, or its source). */
export async function findQueues(options: RedriveOptions, clients: RedriveClients): Promise<RedriveQueues> {
  const dlqUrl = options.dlqUrl ?? (await stackDeadLetterQueue(options, clients.cloudFormation));
  const queueUrl = options.queueUrl ?? (await sourceQueue(clients.sqs, dlqUrl));
  return { queueUrl, dlqUrl };
}

async function stackDeadLetterQueue(options: RedriveOptions, cloudFormation: CloudFormationClient): Promise<string> {
  const stackName = options.stack ?? stackNameFor(options.team!);
  let outputs;
  try {
    const result = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    outputs = result.Stacks?.[0]?.Outputs ?? [];
  } catch (error) {
    if (!/does not exist/i.test((error as Error).message)) throw error;
    const region = await cloudFormation.config.region();
    throw new RedriveError(
      `stack ${stackName} not found in ${region}; pass --stack <name> or --region <region> if it is elsewhere`,
    );
  }
  const dlqUrl = outputs.find((o) => o.OutputKey === 'DeadLetterQueueUrl')?.OutputValue;
  if (!dlqUrl) {
    const keys = outputs.map((o) => o.OutputKey).join(', ') || 'none';
    throw new RedriveError(`stack ${stackName} has no DeadLetterQueueUrl output (it has: ${keys})`);
  }
  return dlqUrl;
}

async function sourceQueue(sqs: SQSClient, dlqUrl: string): Promise<string> {
  const sources = (await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlqUrl }))).queueUrls ?? [];
  if (sources.length !== 1) {
    throw new RedriveError(
      `${sources.length} queues use ${dlqUrl} as their dead-letter queue; say which with --queue-url`,
    );
  }
  return sources[0]!;
}

/**
 * Looks at up to `max` dead letters without taking them: each is received with a one-second visibility timeout and
 * left to reappear. Receiving again until a receive brings no message not yet seen covers the queue; with no
 * timeout at all, SQS may hand out the same first messages every time. A look counts as a receive.
 */
export async function listDeadLetters(sqs: SQSClient, dlqUrl: string, max: number): Promise<DeadLetter[]> {
  const seen = new Map<string, DeadLetter>();
  while (seen.size < max) {
    const fresh = (await peek(sqs, dlqUrl, Math.min(10, max - seen.size))).filter((m) => !seen.has(m.MessageId!));
    if (fresh.length === 0) break;
    for (const message of fresh) seen.set(message.MessageId!, deadLetterOf(message));
  }
  return [...seen.values()];
}

async function peek(sqs: SQSClient, dlqUrl: string, count: number): Promise<Message[]> {
  const result = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: dlqUrl,
      MaxNumberOfMessages: count,
      VisibilityTimeout: 1,
      // Long polling asks every SQS server, so an empty answer means empty rather than an unlucky sample.
      WaitTimeSeconds: 1,
      MessageAttributeNames: [REASON_ATTRIBUTE],
      MessageSystemAttributeNames: ['ApproximateReceiveCount'],
    }),
  );
  return (result.Messages ?? []).filter((m) => m.MessageId !== undefined);
}

function deadLetterOf(message: Message): DeadLetter {
  return {
    messageId: message.MessageId!,
    reason: message.MessageAttributes?.[REASON_ATTRIBUTE]?.StringValue ?? RECEIVES_EXHAUSTED,
    receives: Number(message.Attributes?.ApproximateReceiveCount ?? 0),
  };
}

/**
 * Starts SQS's redrive of the dead-letter queue into the delivery queue. The destination is always named: deliver
 * sends what Spaces refused for good to the DLQ itself, and SQS returns a message to "its source" only when it moved
 * it there. SQS runs one move task per queue at a time, and only from a queue that is some queue's DLQ.
 */
export async function startRedrive(sqs: SQSClient, queues: RedriveQueues): Promise<MoveTask> {
  const [sourceArn, destinationArn] = await Promise.all([queueArn(sqs, queues.dlqUrl), queueArn(sqs, queues.queueUrl)]);
  try {
    const result = await sqs.send(
      new StartMessageMoveTaskCommand({ SourceArn: sourceArn, DestinationArn: destinationArn }),
    );
    return { taskHandle: result.TaskHandle ?? '', sourceArn, destinationArn };
  } catch (error) {
    const name = (error as Error).name;
    if (name !== 'UnsupportedOperation' && name !== 'ResourceNotFoundException') throw error;
    throw new RedriveError(
      `SQS would not start moving ${queues.dlqUrl}: ${(error as Error).message}` +
        " (a move task may already be running on it, or it is no queue's dead-letter queue)",
      { cause: error },
    );
  }
}

async function queueArn(sqs: SQSClient, queueUrl: string): Promise<string> {
  const result = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  const arn = result.Attributes?.QueueArn;
  if (!arn) throw new RedriveError(`SQS gave no ARN for ${queueUrl}`);
  return arn;
}

/**
 * Follows the dead-letter queue's latest move task until it is COMPLETED, FAILED or CANCELLED, handing each look to
 * `progress`, and returns the last. The latest task is the one just started (SQS runs one per queue at a time);
 * its handle cannot pick it out, as SQS lists handles only while a task runs.
 */
export async function waitForMoveTask(
  sqs: SQSClient,
  sourceArn: string,
  intervalMs: number,
  progress: (task: ListMessageMoveTasksResultEntry) => void,
): Promise<ListMessageMoveTasksResultEntry> {
  for (;;) {
    const task = await latestMoveTask(sqs, sourceArn);
    progress(task);
    if (FINISHED.has(task.Status ?? '')) return task;
    await sleep(intervalMs);
  }
}

async function latestMoveTask(sqs: SQSClient, sourceArn: string): Promise<ListMessageMoveTasksResultEntry> {
  const result = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: 1 }));
  const task = result.Results?.[0];
  if (!task) throw new RedriveError(`SQS lists no move task for ${sourceArn}`);
  return task;
}

/** The command line's own context: the repository's teams, a look every five seconds, clients for the region. */
export const DEFAULT_CONTEXT: RedriveContext = {
  teamsDir: join(__dirname, '..', 'teams'),
  pollIntervalMs: 5_000,
  clients: clientsFor,
};

/** Runs the command line; resolves to the exit code: 0 done, 1 failed, 2 the command line is wrong. */
export async function runRedrive(
  argv: readonly string[],
  output: RedriveOutput,
  context: RedriveContext = DEFAULT_CONTEXT,
): Promise<number> {
  try {
    const options = parseOptions(argv);
    if (options.help) {
      output.out(helpText());
      return 0;
    }
    const clients = context.clients(regionFor(options, context.teamsDir));
    const queues = await findQueues(options, clients);
    if (options.dryRun) await dryRun(clients.sqs, queues, options.max, output);
    else await redrive(clients.sqs, queues, options.wait ? context.pollIntervalMs : undefined, output);
    return 0;
  } catch (error) {
    return report(error, output);
  }
}

async function dryRun(sqs: SQSClient, queues: RedriveQueues, max: number, output: RedriveOutput): Promise<void> {
  const waiting = await waitingIn(sqs, queues.dlqUrl);
  output.out(`${waiting} message(s) waiting in ${queues.dlqUrl}`);
  const letters = await listDeadLetters(sqs, queues.dlqUrl, max);
  for (const letter of letters) output.out(`  ${letter.messageId}  ${reasonLine(letter)}`);
  output.out('by reason:');
  for (const [reason, count] of countByReason(letters)) output.out(`  ${String(count).padStart(5)}  ${reason}`);
  output.out(
    `dry run: listed ${letters.length}, moved nothing; a redrive moves every one waiting to ${queues.queueUrl}`,
  );
}

async function waitingIn(sqs: SQSClient, queueUrl: string): Promise<number> {
  const result = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  return Number(result.Attributes?.ApproximateNumberOfMessages ?? 0);
}

function reasonLine(letter: DeadLetter): string {
  return letter.reason === RECEIVES_EXHAUSTED ? `${RECEIVES_EXHAUSTED} (${letter.receives} receives)` : letter.reason;
}

/** Reasons with how many dead letters give each, the most common first. */
export function countByReason(letters: readonly DeadLetter[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const { reason } of letters) counts.set(reason, (counts.get(reason) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]);
}

/** Starts the move and, given an interval, follows it; a task that does not complete is an error. */
async function redrive(
  sqs: SQSClient,
  queues: RedriveQueues,
  intervalMs: number | undefined,
  output: RedriveOutput,
): Promise<void> {
  const task = await startRedrive(sqs, queues);
  output.out(`started moving ${queues.dlqUrl} to ${queues.queueUrl} (task ${task.taskHandle})`);
  if (intervalMs === undefined) {
    output.out(`follow it with: aws sqs list-message-move-tasks --source-arn ${task.sourceArn}`);
    return;
  }
  output.out('following it; Ctrl-C stops following, not the move');
  const last = await waitForMoveTask(sqs, task.sourceArn, intervalMs, (look) => output.out(progressLine(look)));
  if (last.Status === 'FAILED') {
    throw new RedriveError(`the move task failed: ${last.FailureReason ?? 'SQS gave no reason'}`);
  }
  if (last.Status === 'CANCELLED') throw new RedriveError('the move task was cancelled');
  output.out(`done: ${last.ApproximateNumberOfMessagesMoved ?? 0} message(s) moved to ${queues.queueUrl}`);
}

function progressLine(task: ListMessageMoveTasksResultEntry): string {
  // SQS counts the messages to move only once the task has really started.
  const total = task.ApproximateNumberOfMessagesToMove ?? '?';
  return `${task.Status}: ${task.ApproximateNumberOfMessagesMoved ?? 0} of ${total} moved`;
}

function report(error: unknown, output: RedriveOutput): number {
  if (error instanceof UsageError) {
    output.err(`${USAGE}\nerror: ${error.message}`);
    return 2;
  }
  const message = userMessage(error as Error);
  output.err(message ?? String((error as Error).stack ?? error));
  return 1;
}

/** A one-line explanation of an error the user can fix, or undefined for one that needs the stack trace. */
function userMessage(error: Error): string | undefined {
  if (error instanceof RedriveError || error instanceof TeamConfigError) return error.message;
  if (error.name === 'CredentialsProviderError' || /credential/i.test(error.message)) {
    return (
      'no AWS credentials found: set AWS_PROFILE (after `aws sso login`) or ' +
      'AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY for the team account'
    );
  }
  if (/region is missing/i.test(error.message)) {
    return 'no AWS region: give the team config a region, pass --region, or set AWS_REGION';
  }
  if (/AccessDenied/.test(error.name)) {
    return `not allowed: ${error.message} (the README lists the permissions a redrive needs)`;
  }
  if (/QueueDoesNotExist|NonExistentQueue/.test(error.name)) return `no such queue: ${error.message}`;
  return undefined;
}

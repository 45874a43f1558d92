/**
 * `spaces-relay dead-letters list|redrive`: what could not be delivered, with deliver's reasons, and — once the cause
 * (a token, a space membership, a channel) is fixed — back to the delivery queue through SQS's own redrive.
 */
import type { ListMessageMoveTasksResultEntry, SQSClient } from '@aws-sdk/client-sqs';
import type { CliCommand, CliIo } from '../command';
import {
  countByReason,
  listDeadLetters,
  messageCounts,
  RECEIVES_EXHAUSTED,
  sourceQueue,
  startRedrive,
  waitForMoveTask,
  type DeadLetter,
  type RedriveQueues,
} from '../dead-letter-queue';
import { CliError, defineCommand, UsageError } from '../errors';
import {
  checkedRegion,
  helpText,
  parseCommandLine,
  positiveWholeNumber,
  TEAM_OPTIONS,
  usageText,
  type OptionSpecs,
} from '../options';
import { DEFAULT_CONTEXT, openTeam, stackOutputs, type CliContext } from '../team-stack';

const DEFAULT_MAX = 100;

const OPTIONS = {
  team: { ...TEAM_OPTIONS.team, help: "The team whose stack's DeadLetterQueueUrl output is the dead-letter queue." },
  'dlq-url': { type: 'string', value: '<url>', help: 'The dead-letter queue, instead of the stack output.' },
  'queue-url': {
    type: 'string',
    value: '<url>',
    help: 'The queue to move the dead letters to, instead of the one whose redrive policy names the DLQ.',
  },
  region: TEAM_OPTIONS.region,
  'dry-run': { type: 'boolean', help: 'With redrive: list what would be moved, and move nothing.' },
  max: { type: 'string', value: '<n>', help: `List at most n dead letters (default ${DEFAULT_MAX}).` },
  'no-wait': { type: 'boolean', help: 'With redrive: start the move task and return, instead of following it to its end.' },
  help: TEAM_OPTIONS.help,
} as const satisfies OptionSpecs;

const USAGE = [
  'spaces-relay dead-letters list --team <team> [--max <n>] [--region <region>]',
  'spaces-relay dead-letters redrive --team <team> [--dry-run [--max <n>]] [--no-wait] [--region <region>]',
  'spaces-relay dead-letters list|redrive --dlq-url <url> [--queue-url <url>] [options]',
];

const HELP = helpText({
  usage: USAGE,
  description: [
    "list: the notifications in a team's dead-letter queue, each with deliver's reason (or `receives exhausted`),",
    'counted by reason. Each is hidden for a second while it is looked at (the look counts as a receive).',
    'redrive: once the cause is fixed, moves them all back to the delivery queue with an SQS message move task and',
    'follows it until it completes or fails; what was already posted is recognised and not posted twice.',
  ],
  options: OPTIONS,
  examples: [
    'spaces-relay dead-letters list --team payments',
    'spaces-relay dead-letters redrive --team payments --dry-run',
    'spaces-relay dead-letters redrive --team payments',
  ],
});

/** What the command line asked for. */
interface DeadLettersRequest {
  readonly action: 'list' | 'redrive';
  readonly team?: string;
  readonly dlqUrl?: string;
  readonly queueUrl?: string;
  readonly region?: string;
  readonly dryRun: boolean;
  readonly max: number;
  readonly wait: boolean;
}

function parseRequest(args: readonly string[]): DeadLettersRequest | 'help' {
  const { values, positionals } = parseCommandLine(args, OPTIONS);
  if (values.help) return 'help';
  const [action, ...extra] = positionals;
  if (action !== 'list' && action !== 'redrive') {
    throw new UsageError(action === undefined ? 'say what to do: list or redrive' : `unknown action "${action}": list or redrive`);
  }
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  if (!values.team && !values['dlq-url']) throw new UsageError('say whose dead letters: --team <team> or --dlq-url <url>');
  const dryRun = values['dry-run'] ?? false;
  if (action === 'list' && (dryRun || values['no-wait'])) {
    throw new UsageError(`${dryRun ? '--dry-run' : '--no-wait'} only applies to redrive; list moves nothing`);
  }
  // A move task takes every message in the queue: there is no count to give it.
  if (values.max !== undefined && action === 'redrive' && !dryRun) throw new UsageError('--max only applies to a listing');
  if (values['no-wait'] && dryRun) throw new UsageError('--no-wait only applies to a redrive, not to --dry-run');
  return {
    action,
    team: values.team,
    dlqUrl: values['dlq-url'],
    queueUrl: values['queue-url'],
    region: checkedRegion(values.region),
    dryRun,
    max: values.max === undefined ? DEFAULT_MAX : positiveWholeNumber('--max', values.max),
    wait: !(values['no-wait'] ?? false),
  };
}

/** The command, with its AWS clients and teams from `context`. */
export function deadLettersCommand(context: CliContext = DEFAULT_CONTEXT): CliCommand {
  return defineCommand({
    name: 'dead-letters',
    summary: 'List the dead letters with their reasons, or move them back to the delivery queue',
    help: HELP,
    usage: usageText(USAGE),
    parse: parseRequest,
    act: async (request, io) => {
      await runRequest(request, context, io);
      return 0;
    },
  });
}

async function runRequest(request: DeadLettersRequest, context: CliContext, io: CliIo): Promise<void> {
  const target = request.team === undefined ? undefined : openTeam(context, request.team, request.region);
  const sqs = target?.clients.sqs ?? context.aws(request.region).sqs;
  const dlqUrl = request.dlqUrl ?? (await stackOutputs(target!, ['DeadLetterQueueUrl'])).DeadLetterQueueUrl;
  if (request.action === 'list') {
    await list(sqs, dlqUrl, request.max, io);
    io.out(`once the cause is fixed, send them back with: spaces-relay dead-letters redrive ${whose(request)}`);
    return;
  }
  const queues: RedriveQueues = { dlqUrl, queueUrl: request.queueUrl ?? (await sourceQueue(sqs, dlqUrl)) };
  if (request.dryRun) {
    const letters = await list(sqs, dlqUrl, request.max, io);
    io.out(`dry run: listed ${letters.length}, moved nothing; a redrive moves every one waiting to ${queues.queueUrl}`);
    return;
  }
  await redrive(sqs, queues, request.wait ? context.pollIntervalMs : undefined, io);
}

/** The options that named the queue, to repeat them in advice. */
const whose = (request: DeadLettersRequest): string =>
  request.team !== undefined ? `--team ${request.team}` : `--dlq-url ${request.dlqUrl}`;

async function list(sqs: SQSClient, dlqUrl: string, max: number, io: CliIo): Promise<DeadLetter[]> {
  const { visible, inFlight } = await messageCounts(sqs, dlqUrl);
  io.out(`${visible} message(s) waiting in ${dlqUrl}${inFlight > 0 ? ` (and ${inFlight} being looked at)` : ''}`);
  const letters = await listDeadLetters(sqs, dlqUrl, max);
  for (const letter of letters) io.out(`  ${letter.messageId}  ${reasonLine(letter)}`);
  io.out('by reason:');
  for (const [reason, count] of countByReason(letters)) io.out(`  ${String(count).padStart(5)}  ${reason}`);
  return letters;
}

function reasonLine(letter: DeadLetter): string {
  return letter.reason === RECEIVES_EXHAUSTED ? `${RECEIVES_EXHAUSTED} (${letter.receives} receives)` : letter.reason;
}

/** Starts the move and, given an interval, follows it; a task that does not complete is an error. */
async function redrive(sqs: SQSClient, queues: RedriveQueues, intervalMs: number | undefined, io: CliIo): Promise<void> {
  const task = await startRedrive(sqs, queues);
  io.out(`started moving ${queues.dlqUrl} to ${queues.queueUrl} (task ${task.taskHandle})`);
  if (intervalMs === undefined) {
    io.out(`follow it with: aws sqs list-message-move-tasks --source-arn ${task.sourceArn}`);
    return;
  }
  io.out('following it; Ctrl-C stops following, not the move');
  const last = await waitForMoveTask(sqs, task.sourceArn, intervalMs, (look) => io.out(progressLine(look)));
  if (last.Status === 'FAILED') throw new CliError(`the move task failed: ${last.FailureReason ?? 'SQS gave no reason'}`);
  if (last.Status === 'CANCELLED') throw new CliError('the move task was cancelled');
  io.out(`done: ${last.ApproximateNumberOfMessagesMoved ?? 0} message(s) moved to ${queues.queueUrl}`);
}

function progressLine(task: ListMessageMoveTasksResultEntry): string {
  // SQS counts the messages to move only once the task has really started.
  const total = task.ApproximateNumberOfMessagesToMove ?? '?';
  return `${task.Status}: ${task.ApproximateNumberOfMessagesMoved ?? 0} of ${total} moved`;
}

/** `spaces-relay dead-letters`, as the installed command line runs it. */
export const deadLetters: CliCommand = deadLettersCommand();

/**
 * `npm run redrive -- --team <team> [--dry-run]`: puts a team's dead letters back on its delivery queue, once the
 * cause (a token, a space membership, a channel) is fixed. The DLQ is the team stack's `DeadLetterQueueUrl` output
 * (stack `SpacesRelay-<team>` unless `--stack` says otherwise) and the queue is the one whose redrive policy points at
 * it (SQS lists it), or both are given with `--queue-url` and `--dlq-url`. Messages are moved ten at a time: sent to the queue, then deleted from
 * the DLQ, so a crash in between duplicates at worst — and deliver's idempotency absorbs duplicates.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ListDeadLetterSourceQueuesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { parseArgs } from 'node:util';
import { stackNameFor } from '../infra/relay-stack';
import { REASON_ATTRIBUTE } from '../lambda/deliver/dead-letter';

export interface RedriveOptions {
  readonly team?: string;
  readonly stack?: string;
  readonly queueUrl?: string;
  readonly dlqUrl?: string;
  readonly dryRun: boolean;
  /** Stop after this many messages. */
  readonly max?: number;
}

export interface RedriveClients {
  readonly sqs: SQSClient;
  readonly cloudFormation: CloudFormationClient;
}

/** A problem the user can fix; printed without a stack trace. */
export class RedriveError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RedriveError';
  }
}

const USAGE = 'usage: npm run redrive -- --team <team> [--dry-run] [--stack <name>] [--queue-url <url> --dlq-url <url>] [--max <n>]';

export function parseOptions(argv: readonly string[]): RedriveOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      team: { type: 'string' },
      stack: { type: 'string' },
      'queue-url': { type: 'string' },
      'dlq-url': { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      max: { type: 'string' },
    },
    strict: true,
  });
  const max = values.max === undefined ? undefined : Number(values.max);
  if (max !== undefined && !(Number.isInteger(max) && max > 0)) throw new RedriveError(`--max must be a whole number above 0\n${USAGE}`);
  const direct = values['queue-url'] !== undefined && values['dlq-url'] !== undefined;
  if (!values.team && !values.stack && !direct) throw new RedriveError(`say which team's dead letters to redrive\n${USAGE}`);
  return {
    team: values.team,
    stack: values.stack,
    queueUrl: values['queue-url'],
    dlqUrl: values['dlq-url'],
    dryRun: values['dry-run'] ?? false,
    max,
  };
}

/** The SDK's way of saying there are no credentials (or no region): said plainly, with what to do. */
function explain(error: unknown): never {
  const name = (error as Error).name;
  if (name === 'CredentialsProviderError' || /credential/i.test((error as Error).message)) {
    throw new RedriveError(
      'no AWS credentials found: set AWS_PROFILE (after `aws sso login`) or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY for the team account',
      { cause: error },
    );
  }
  if (/region/i.test((error as Error).message)) throw new RedriveError('no AWS region: set AWS_REGION (the team stack\'s region)', { cause: error });
  throw error;
}

async function queuesOf(options: RedriveOptions, clients: RedriveClients): Promise<{ queueUrl: string; dlqUrl: string }> {
  if (options.queueUrl && options.dlqUrl) return { queueUrl: options.queueUrl, dlqUrl: options.dlqUrl };
  const stackName = options.stack ?? stackNameFor(options.team!);
  let outputs;
  try {
    const result = await clients.cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    outputs = result.Stacks?.[0]?.Outputs ?? [];
  } catch (error) {
    if (/does not exist/i.test((error as Error).message)) {
      throw new RedriveError(`stack ${stackName} not found in this account/region; pass --stack <name> if it is named otherwise`);
    }
    explain(error);
  }
  const dlqUrl = options.dlqUrl ?? outputs.find((o) => o.OutputKey === 'DeadLetterQueueUrl')?.OutputValue;
  if (!dlqUrl) {
    const keys = outputs.map((o) => o.OutputKey).join(', ') || 'none';
    throw new RedriveError(`stack ${stackName} has no DeadLetterQueueUrl output (it has: ${keys})`);
  }
  if (options.queueUrl) return { queueUrl: options.queueUrl, dlqUrl };
  const sources = (await clients.sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlqUrl }))).queueUrls ?? [];
  if (sources.length !== 1) {
    throw new RedriveError(`${sources.length} queues use ${dlqUrl} as their dead-letter queue; say which with --queue-url`);
  }
  return { queueUrl: sources[0]!, dlqUrl };
}

function reasonOf(message: Message): string {
  return message.MessageAttributes?.[REASON_ATTRIBUTE]?.StringValue ?? '(no reason recorded: retries ran out)';
}

/** Moves (or, dry, counts) the dead letters; `print` gets the progress lines. Returns how many were moved. */
export async function redrive(options: RedriveOptions, clients: RedriveClients, print: (line: string) => void): Promise<number> {
  const { queueUrl, dlqUrl } = await queuesOf(options, clients);
  let waiting: number;
  try {
    const attributes = await clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    waiting = Number(attributes.Attributes?.ApproximateNumberOfMessages ?? 0);
  } catch (error) {
    explain(error);
  }
  const limit = Math.min(waiting, options.max ?? Number.POSITIVE_INFINITY);
  print(`${waiting} message(s) in ${dlqUrl}`);
  if (waiting === 0) return 0;

  if (options.dryRun) {
    // A peek with no visibility timeout leaves the messages where they are.
    const sample = await clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0, MessageAttributeNames: ['All'] }),
    );
    for (const message of sample.Messages ?? []) print(`  e.g. ${message.MessageId}: ${reasonOf(message)}`);
    print(`dry run: would move ${limit} message(s) to ${queueUrl}`);
    return 0;
  }

  let moved = 0;
  while (moved < limit) {
    const received = await clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: dlqUrl,
        MaxNumberOfMessages: Math.min(10, limit - moved),
        WaitTimeSeconds: 1,
        VisibilityTimeout: 60,
        MessageAttributeNames: ['All'],
      }),
    );
    const messages = received.Messages ?? [];
    if (messages.length === 0) break;
    const sent = await clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        // The reason stays behind: deliver does not read it, and a new failure records its own.
        Entries: messages.map((m, index) => ({ Id: String(index), MessageBody: m.Body ?? '' })),
      }),
    );
    const ok = new Set((sent.Successful ?? []).map((entry) => Number(entry.Id)));
    const done = messages.filter((_, index) => ok.has(index));
    if (done.length > 0) {
      await clients.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: dlqUrl,
          Entries: done.map((m, index) => ({ Id: String(index), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
    }
    moved += done.length;
    print(`moved ${moved}/${limit}`);
    if (done.length < messages.length) {
      const failed = sent.Failed?.[0];
      throw new RedriveError(`the queue refused ${messages.length - done.length} message(s): ${failed?.Code ?? ''} ${failed?.Message ?? ''}`.trim());
    }
  }
  print(`done: ${moved} message(s) moved to ${queueUrl}`);
  return moved;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  await redrive(options, { sqs: new SQSClient({}), cloudFormation: new CloudFormationClient({}) }, (line) =>
    process.stdout.write(`${line}\n`),
  );
}

if (require.main === module) {
  main().catch((error: Error) => {
    const usage = error instanceof RedriveError || String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`${usage ? error.message : error.stack}\n`);
    process.exit(1);
  });
}

/**
 * A team's dead-letter queue: look at what waits there with deliver's failure reasons, and move it back to the
 * delivery queue with SQS's own redrive, a message move task. The delivery queue is the one whose redrive policy
 * points at the dead-letter queue (SQS lists it).
 */
import {
  GetQueueAttributesCommand,
  ListDeadLetterSourceQueuesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  StartMessageMoveTaskCommand,
  type ListMessageMoveTasksResultEntry,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { setTimeout as sleep } from 'node:timers/promises';
import { REASON_ATTRIBUTE } from '../lambda/deliver/dead-letter';
import { CliError } from './errors';

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

/** One dead letter as a listing shows it. */
export interface DeadLetter {
  readonly messageId: string;
  /** Deliver's reason, or {@link RECEIVES_EXHAUSTED} when the queue's redrive policy moved it. */
  readonly reason: string;
  /** SQS's ApproximateReceiveCount, this look included. */
  readonly receives: number;
}

/** The reason shown for a dead letter that SQS moved after its receives ran out: it records none. */
export const RECEIVES_EXHAUSTED = 'receives exhausted';

const FINISHED = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

/** The queue whose redrive policy names `dlqUrl`: the one to move its letters back to. */
export async function sourceQueue(sqs: SQSClient, dlqUrl: string): Promise<string> {
  const sources = (await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlqUrl }))).queueUrls ?? [];
  if (sources.length !== 1) {
    throw new CliError(`${sources.length} queues use ${dlqUrl} as their dead-letter queue; say which with --queue-url`);
  }
  return sources[0]!;
}

/** How many messages a queue holds: visible ones, and those received and not yet deleted or given back. */
export async function messageCounts(sqs: SQSClient, queueUrl: string): Promise<{ visible: number; inFlight: number }> {
  const result = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(result.Attributes?.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(result.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
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

/** Reasons with how many dead letters give each, the most common first. */
export function countByReason(letters: readonly DeadLetter[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const { reason } of letters) counts.set(reason, (counts.get(reason) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]);
}

/**
 * Starts SQS's redrive of the dead-letter queue into the delivery queue. The destination is always named: deliver
 * sends what Spaces refused for good to the DLQ itself, and SQS returns a message to "its source" only when it moved
 * it there. SQS runs one move task per queue at a time, and only from a queue that is some queue's DLQ.
 */
export async function startRedrive(sqs: SQSClient, queues: RedriveQueues): Promise<MoveTask> {
  const [sourceArn, destinationArn] = await Promise.all([queueArn(sqs, queues.dlqUrl), queueArn(sqs, queues.queueUrl)]);
  try {
    const result = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: sourceArn, DestinationArn: destinationArn }));
    return { taskHandle: result.TaskHandle ?? '', sourceArn, destinationArn };
  } catch (error) {
    const name = (error as Error).name;
    if (name !== 'UnsupportedOperation' && name !== 'ResourceNotFoundException') throw error;
    throw new CliError(
      `SQS would not start moving ${queues.dlqUrl}: ${(error as Error).message}` +
        " (a move task may already be running on it, or it is no queue's dead-letter queue)",
      { cause: error },
    );
  }
}

async function queueArn(sqs: SQSClient, queueUrl: string): Promise<string> {
  const result = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  const arn = result.Attributes?.QueueArn;
  if (!arn) throw new CliError(`SQS gave no ARN for ${queueUrl}`);
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
  if (!task) throw new CliError(`SQS lists no move task for ${sourceArn}`);
  return task;
}

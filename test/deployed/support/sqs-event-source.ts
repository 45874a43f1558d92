/**
 * The Lambda SQS event source, done by hand on a moto queue: receive messages, hand them to the function as the
 * event source builds its `SQSEvent`, and delete the records the function did not report in `batchItemFailures`
 * (`ReportBatchItemFailures`, as the stack configures it). A function that throws has nothing deleted.
 */
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord, SQSRecordAttributes } from 'aws-lambda';
import type { LambdaProcess } from './lambda-process';
import type { CreatedQueue } from './moto-stack';

/** The system attributes the event source copies into a record, when the message has them. */
const RECORD_ATTRIBUTES = [
  'ApproximateReceiveCount',
  'SentTimestamp',
  'SenderId',
  'ApproximateFirstReceiveTimestamp',
  'AWSTraceHeader',
  'SequenceNumber',
  'MessageGroupId',
  'MessageDeduplicationId',
  'DeadLetterQueueSourceArn',
] as const;

/** SQS's message attribute as the event source spells it (camelCase, binary as base64, empty lists). */
function recordAttribute(value: MessageAttributeValue): SQSMessageAttributes[string] {
  return {
    stringValue: value.StringValue,
    binaryValue: value.BinaryValue ? Buffer.from(value.BinaryValue).toString('base64') : undefined,
    stringListValues: value.StringListValues ?? [],
    binaryListValues: (value.BinaryListValues ?? []).map((binary) => Buffer.from(binary).toString('base64')),
    dataType: value.DataType as SQSMessageAttributes[string]['dataType'],
  };
}

/** One received message as an event source record. */
export function sqsRecord(message: Message, queue: CreatedQueue, region: string): SQSRecord {
  const attributes: Record<string, string> = {};
  for (const name of RECORD_ATTRIBUTES) {
    const value = message.Attributes?.[name];
    if (value !== undefined) attributes[name] = value;
  }
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body!,
    attributes: attributes as unknown as SQSRecordAttributes,
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [name, recordAttribute(value)]),
    ),
    md5OfBody: message.MD5OfBody!,
    ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: queue.arn,
    awsRegion: region,
  };
}

/** What one batch did: the event handed over, the function's answer, and the records deleted afterwards. */
export interface DeliveredBatch {
  readonly event: SQSEvent;
  readonly response: SQSBatchResponse;
  readonly deleted: readonly string[];
}

/** The event source of one queue into one function. */
export class SqsEventSource {
  constructor(
    private readonly sqs: SQSClient,
    readonly queue: CreatedQueue,
    private readonly region: string,
    private readonly target: LambdaProcess,
  ) {}

  /**
   * Receives until `count` messages are in hand or `waitSeconds` have passed with nothing more arriving (long
   * polling, as the event source's pollers do), and returns them, oldest receive first.
   */
  async receive(count: number, waitSeconds = 2): Promise<Message[]> {
    const received: Message[] = [];
    const deadline = Date.now() + waitSeconds * 1000;
    while (received.length < count) {
      const left = Math.ceil((deadline - Date.now()) / 1000);
      const { Messages = [] } = await this.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: this.queue.url,
          MaxNumberOfMessages: Math.min(10, count - received.length),
          WaitTimeSeconds: Math.max(0, Math.min(20, left)),
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      );
      received.push(...Messages);
      if (Messages.length === 0 && Date.now() >= deadline) break;
    }
    return received;
  }

  /** The event the event source hands the function for `messages`. */
  event(messages: readonly Message[]): SQSEvent {
    return { Records: messages.map((message) => sqsRecord(message, this.queue, this.region)) };
  }

  /** Hands `messages` to the function as one batch, then deletes what it did not report as failed. */
  async deliver(messages: readonly Message[]): Promise<DeliveredBatch> {
    const event = this.event(messages);
    const response = (await this.target.invoke<SQSBatchResponse | null>(event)) ?? { batchItemFailures: [] };
    const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
    const done = event.Records.filter((record) => !failed.has(record.messageId));
    for (let start = 0; start < done.length; start += 10) {
      const Entries = done
        .slice(start, start + 10)
        .map((record, index) => ({ Id: String(index), ReceiptHandle: record.receiptHandle }));
      const result = await this.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: this.queue.url, Entries }));
      if (result.Failed?.length) throw new Error(`the event source could not delete ${result.Failed.length} record(s)`);
    }
    return { event, response, deleted: done.map((record) => record.messageId) };
  }

  /** Receives up to `count` messages and delivers them as one batch. */
  async deliverNext(count: number, waitSeconds = 2): Promise<DeliveredBatch> {
    const messages = await this.receive(count, waitSeconds);
    if (messages.length === 0) throw new Error(`nothing to deliver on ${this.queue.logicalId}`);
    return this.deliver(messages);
  }

  /** How long a received message stays hidden, as the queue is configured. */
  async visibilityTimeoutSeconds(): Promise<number> {
    const { Attributes = {} } = await this.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: this.queue.url, AttributeNames: ['VisibilityTimeout'] }),
    );
    return Number(Attributes.VisibilityTimeout);
  }

  /** Messages on the queue, visible and in flight: zero means nothing was queued (or all is deleted). */
  async depth(): Promise<number> {
    const { Attributes = {} } = await this.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: this.queue.url,
        AttributeNames: [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
          'ApproximateNumberOfMessagesDelayed',
        ],
      }),
    );
    return Object.values(Attributes).reduce((sum, value) => sum + Number(value), 0);
  }
}

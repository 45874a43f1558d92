import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEAD_LETTER_RETENTION_DAYS, QUEUE_RETENTION_DAYS } from '../limits';

/** Props of {@link DeliveryQueue}. */
export interface DeliveryQueueProps {
  /**
   * How long a received message stays hidden: AWS advises at least six times the consuming function's timeout, so
   * that a message is not handed to a second invocation while the first still works on it.
   */
  readonly visibilityTimeout: Duration;
  /**
   * Receives before a message moves to the dead-letter queue. No default: it depends on how often the consumer hands
   * back a message it has not failed on.
   */
  readonly maxReceiveCount: number;
}

/**
 * The queue between the senders and deliver, and its dead-letter queue. Encrypted with SQS-managed keys (SSE-SQS),
 * not KMS: S3, SNS and EventBridge can then send to it with a queue policy alone, without key grants.
 */
export class DeliveryQueue extends Construct {
  /** Where ingest and the AWS event sources put notifications. */
  readonly queue: Queue;
  /** Where notifications end that could not be delivered; deliver also sends permanent failures here directly. */
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: DeliveryQueueProps) {
    super(scope, id);
    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(DEAD_LETTER_RETENTION_DAYS),
    });
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: props.visibilityTimeout,
      retentionPeriod: Duration.days(QUEUE_RETENTION_DAYS),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
    });
  }
}

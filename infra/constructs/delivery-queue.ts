import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Props of {@link DeliveryQueue}. */
export interface DeliveryQueueProps {
  /** The timeout of the function that consumes the queue; the visibility timeout is derived from it. */
  readonly consumerTimeout: Duration;
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
      // The longest SQS allows: time to notice, fix the cause and redrive.
      retentionPeriod: Duration.days(14),
    });
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // AWS guidance for an SQS event source: at least six times the function timeout, so that a message is not
      // handed to a second invocation while the first is still working on it (or Lambda is retrying a throttled
      // invocation). The cost: a message handed back becomes visible again only after this long.
      visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
    });
  }
}

import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Props of {@link RelayAlarms}. */
export interface RelayAlarmsProps {
  /** Where the alarms publish, on alarm and on recovery. */
  readonly topic: ITopic;
  /** Every alarm name starts with this, so that a team tells its relays apart (and EventBridge can skip them). */
  readonly namePrefix: string;
  readonly ingest: IFunction;
  readonly deliver: IFunction;
  readonly queue: IQueue;
  readonly deadLetterQueue: IQueue;
}

/** How long a notification may wait in the queue before the relay says it is behind. */
const BACKLOG_AGE = Duration.minutes(15);

/**
 * The relay watching itself. The alarms publish to the team's topic, which feeds the delivery queue, so they reach
 * the team's space like any other alarm; subscribe an e-mail address to the topic for the case where delivery itself
 * is what fails.
 */
export class RelayAlarms extends Construct {
  /** The alarms, by purpose. */
  readonly alarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: RelayAlarmsProps) {
    super(scope, id);
    const fiveMinutes = { period: Duration.minutes(5) };
    const alarm = (name: string, description: string, metric: IMetric, threshold = 1) => {
      const created = new Alarm(this, name, {
        alarmName: `${props.namePrefix}${name}`,
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(new SnsAction(props.topic));
      created.addOkAction(new SnsAction(props.topic));
      return created;
    };

    this.alarms = [
      alarm(
        'DeadLetters',
        'Notifications could not be delivered and wait in the dead-letter queue; the deliver logs give the reason.',
        props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: 'Maximum',
        }),
      ),
      alarm(
        'DeliverErrors',
        'The deliver function failed (crash or timeout), not just a notification.',
        props.deliver.metricErrors(fiveMinutes),
      ),
      alarm(
        'DeliverThrottles',
        'Lambda throttled the deliver function: the account concurrency is exhausted.',
        props.deliver.metricThrottles(fiveMinutes),
      ),
      alarm(
        'IngestErrors',
        'The ingest function failed (crash or timeout): senders got a 5xx and will retry, or drop the webhook.',
        props.ingest.metricErrors(fiveMinutes),
      ),
      alarm(
        'DeliveryBacklog',
        `The oldest queued notification is older than ${BACKLOG_AGE.toMinutes()} minutes: Spaces is unreachable, rate-limiting, or refusing the token.`,
        props.queue.metricApproximateAgeOfOldestMessage({ ...fiveMinutes, statistic: 'Maximum' }),
        BACKLOG_AGE.toSeconds(),
      ),
    ];
  }
}

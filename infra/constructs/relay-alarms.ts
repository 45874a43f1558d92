import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { UnauthorizedError } from '../../lambda/runtime/errors';
import type { RelayMetrics } from '../relay-metrics';
import type { WebhookApi } from './webhook-api';

/** Props of {@link RelayAlarms}. */
export interface RelayAlarmsProps {
  /** Where every alarm publishes, on alarm and on recovery: the relay's alarm topic and the team's own topics. */
  readonly targets: readonly ITopic[];
  /** Every alarm name starts with this, so that a team tells its relays apart (and EventBridge can skip them). */
  readonly namePrefix: string;
  /** What the functions count. */
  readonly metrics: RelayMetrics;
  readonly webhooks: WebhookApi;
  readonly deliver: IFunction;
  readonly queue: IQueue;
  readonly deadLetterQueue: IQueue;
}

/** How long a notification may wait in the queue before the relay says it is behind. */
const BACKLOG_AGE = Duration.minutes(15);
/** Refusals for a bad secret or signature, within {@link REJECTION_WINDOW}, that make a burst (see below). */
const REJECTION_BURST = 3;
const REJECTION_WINDOW = Duration.minutes(15);
/** The reason ingest counts such a refusal under (`rejected`, dimension `reason`): the error's code. */
const UNAUTHORIZED = new UnauthorizedError('a wrong secret or signature').code;

/**
 * The relay watching itself: one alarm per way it can fail a sender or a space, each saying what it means and what to
 * do. Unless a comment says otherwise an alarm fires on a single occurrence within five minutes: each of these is a
 * notification lost or late, rare when all is well, and worth a look.
 *
 * Ingest has no alarm on its function errors: a crash or a timeout reaches the sender as a 5xx, which ApiServerErrors
 * counts together with the 503s ingest answers itself.
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
      for (const topic of props.targets) {
        created.addAlarmAction(new SnsAction(topic));
        created.addOkAction(new SnsAction(topic));
      }
      return created;
    };

    this.alarms = [
      alarm(
        'DeadLetters',
        'Notifications could not be delivered and wait in the dead-letter queue. The deliver logs, and the ' +
          'failure-reason attribute of each dead letter, give the reason (`npx spaces-relay dead-letters list --team ' +
          '<team>` lists them); once it is fixed, send them back with `npx spaces-relay dead-letters redrive --team <team>`.',
        props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: 'Maximum',
        }),
      ),
      alarm(
        'DeliverErrors',
        'The deliver function failed as a whole (a crash or a timeout), not just one notification: its batch comes ' +
          'back after the visibility timeout. Look for the error in the deliver logs.',
        props.deliver.metricErrors(fiveMinutes),
      ),
      alarm(
        'DeliverThrottles',
        "Lambda throttled the deliver function: the account's concurrency is exhausted, and notifications wait. " +
          'Find what uses the concurrency, or ask for a higher quota.',
        props.deliver.metricThrottles(fiveMinutes),
      ),
      alarm(
        'DeliveryBacklog',
        `The oldest queued notification is older than ${BACKLOG_AGE.toMinutes()} minutes: Spaces is unreachable, ` +
          'rate-limiting, or refusing the token. The deliver logs say which; messages are posted once it passes.',
        props.queue.metricApproximateAgeOfOldestMessage({ ...fiveMinutes, statistic: 'Maximum' }),
        BACKLOG_AGE.toSeconds(),
      ),
      alarm(
        'CredentialFailures',
        'Deliver could not get a Spaces credential that works (the token secret unreadable, the token refused, or ' +
          'its renewal failing): nothing is posted until it is fixed, and this alarm may be the only word of it. ' +
          'Check the secret named by tokenSecret and the token in it.',
        props.metrics.count('credentialFailures', fiveMinutes),
      ),
      alarm(
        'ApiServerErrors',
        'Senders were answered 5xx: ingest could not reach the queue or the inbound secret (its own 503s), or it ' +
          'crashed or timed out. Some senders retry, others drop the notification (docs/senders.md). The ingest ' +
          'logs give the error.',
        // API Gateway's own count (HTTP APIs name it `5xx`, per API and stage), so ingest's answered 503s count too.
        props.webhooks.stage.metricServerError(fiveMinutes),
      ),
      alarm(
        'ApiThrottled',
        'API Gateway answered 429 Too Many Requests: more webhooks arrived than api.rateLimit/api.burstLimit allow. ' +
          'Most senders drop a throttled notification (docs/senders.md). Find the sender in the access log; raise ' +
          'the limits if the storm was a normal one.',
        props.webhooks.metricThrottled(fiveMinutes),
      ),
      alarm(
        'UnauthorizedBurst',
        `At least ${REJECTION_BURST} webhooks in ${REJECTION_WINDOW.toMinutes()} minutes were refused for a wrong ` +
          'secret or signature (401): a sender holds an old or mistyped secret (after a rotation?), and most senders ' +
          'drop what was refused. Find it by path and source address in the access log, and give it the secret.',
        // The relay's own count, by its error code: it counts exactly the requests ingest refused for their
        // credentials (all of them: ingest answers 401 for a bad secret or signature, never 403), without a second
        // metric to maintain. A burst, not one: a person trying the URL by hand should not page anyone, while a
        // sender with a stale secret fails on every request; Alertmanager sends a group every 5 minutes, so three in
        // a quarter of an hour catches even a single failing group.
        props.metrics.countFor('rejected', UNAUTHORIZED, { period: REJECTION_WINDOW }),
        REJECTION_BURST,
      ),
    ];
  }
}

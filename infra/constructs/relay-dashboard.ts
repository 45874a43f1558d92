import { Duration, Stack } from 'aws-cdk-lib';
import {
  Dashboard,
  GraphWidget,
  TextWidget,
  type GraphWidgetProps,
  type IMetric,
  type IWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { RelayMetrics } from '../relay-metrics';
import type { WebhookApi } from './webhook-api';

/** Props of {@link RelayDashboard}. */
export interface RelayDashboardProps {
  /** The dashboard's name; dashboards are global to an account, so it must differ between regions. */
  readonly dashboardName: string;
  /** What the functions count. */
  readonly metrics: RelayMetrics;
  readonly webhooks: WebhookApi;
  readonly deliver: IFunction;
  /** The deliver function's timeout, drawn on its duration. */
  readonly deliverTimeout: Duration;
  readonly queue: IQueue;
  readonly deadLetterQueue: IQueue;
}

/** Each graph: a third of the dashboard's width. */
const WIDTH = 8;
const HEIGHT = 6;

/**
 * One team's relay on one page, in the order a notification travels: what the senders sent and what the API and ingest
 * made of it, what deliver posted, retried or gave up on and why, and how the queue and the deliver function keep up.
 * Counts are sums per five minutes.
 */
export class RelayDashboard extends Construct {
  readonly dashboard: Dashboard;
  /** The dashboard in the CloudWatch console of the stack's region. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: RelayDashboardProps) {
    super(scope, id);
    const { metrics, webhooks, deliver, queue, deadLetterQueue } = props;
    const period = Duration.minutes(5);
    const graph = (title: string, left: IMetric[], extra: GraphWidgetProps = {}) =>
      new GraphWidget({ title, left, width: WIDTH, height: HEIGHT, ...extra });

    const intake: IWidget[] = [
      graph('Webhooks received and rejected', [
        metrics.count('received', { label: 'received (queued or acknowledged)' }),
        metrics.count('rejected', { label: 'rejected' }),
      ]),
      graph('Rejected, by reason', [metrics.byReason('rejected')]),
      // Accepted, but with parts a chat cannot show (a javascript: link, a card's input field): what senders lose.
      graph('Parts left out of chat-webhook posts', [metrics.count('unshown', { label: 'left out' })]),
      // A team's own drop rules at work: a rule that suddenly drops everything shows here first.
      graph('Dropped by a route, by rule', [metrics.byReason('routeDrops')]),
      graph('API requests', [
        webhooks.stage.metricCount({ period, statistic: 'Sum', label: 'requests' }),
        webhooks.stage.metricClientError({ period, label: '4xx' }),
        webhooks.stage.metricServerError({ period, label: '5xx' }),
        webhooks.metricThrottled({ period, label: 'throttled (429)' }),
      ]),
    ];
    const delivery: IWidget[] = [
      graph('Delivered', [
        metrics.count('delivered', { label: 'delivered (posted)' }),
        metrics.count('deduplicated', { label: 'deduplicated (already posted)' }),
        metrics.count('digested', { label: 'folded into digests' }),
        metrics.count('acknowledged', { label: 'acknowledged (nothing to post)' }),
      ]),
      graph('Retried and dead-lettered', [
        metrics.count('retried', { label: 'retried' }),
        metrics.count('deadLettered', { label: 'dead-lettered' }),
        metrics.count('credentialFailures', { label: 'credential failures' }),
      ]),
      graph('Dead-lettered, by reason', [metrics.byReason('deadLettered')]),
    ];
    const capacity: IWidget[] = [
      graph(
        'Queue',
        [queue.metricApproximateAgeOfOldestMessage({ period, statistic: 'Maximum', label: 'oldest waiting (s)' })],
        {
          right: [
            queue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum', label: 'waiting' }),
            deadLetterQueue.metricApproximateNumberOfMessagesVisible({
              period,
              statistic: 'Maximum',
              label: 'dead letters',
            }),
          ],
        },
      ),
      graph(
        'Deliver duration (ms)',
        [
          deliver.metricDuration({ period, statistic: 'Average', label: 'average' }),
          deliver.metricDuration({ period, statistic: 'p99', label: 'p99' }),
          deliver.metricDuration({ period, statistic: 'Maximum', label: 'maximum' }),
        ],
        { leftAnnotations: [{ value: props.deliverTimeout.toMilliseconds(), label: 'timeout' }] },
      ),
      graph(
        'Deliver invocations',
        [
          deliver.metricInvocations({ period, label: 'invocations' }),
          deliver.metricErrors({ period, label: 'errors' }),
          deliver.metricThrottles({ period, label: 'throttles' }),
        ],
        { right: [metrics.count('attachmentBytes', { label: 'attachment bytes uploaded' })] },
      ),
    ];

    const region = Stack.of(this).region;
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.days(1),
      widgets: [
        [
          new TextWidget({
            markdown:
              `# ${Stack.of(this).stackName}\n` +
              'Webhooks in (API, ingest), messages out (deliver). Its alarms say what each failure means and what ' +
              'to do; docs/senders.md says what each sender does with an error.',
            width: 3 * WIDTH,
            height: 2,
          }),
        ],
        intake,
        delivery,
        capacity,
      ],
    });
    this.url =
      `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}` +
      `#dashboards:name=${this.dashboard.dashboardName}`;
  }
}

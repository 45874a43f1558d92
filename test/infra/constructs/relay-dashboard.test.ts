import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { RelayDashboard } from '../../../infra/constructs/relay-dashboard';
import { WebhookApi } from '../../../infra/constructs/webhook-api';
import { RelayMetrics } from '../../../infra/relay-metrics';
import { idOf } from '../support/relay';

/** One line of a graph as the dashboard body writes it: namespace, name, dimension pairs, then options. */
type MetricLine = (string | Record<string, unknown>)[];
interface Widget {
  readonly type: string;
  readonly properties: { title?: string; metrics?: MetricLine[]; annotations?: unknown };
}

/** The dashboard body with each value CloudFormation fills in written as `<Ref>` or `<Ref.Attribute>`. */
function dashboardBody(template: Template): { widgets: Widget[] } {
  const dashboard = Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]!;
  const parts: unknown[] = dashboard.Properties.DashboardBody['Fn::Join'][1];
  const text = parts
    .map((part) => {
      if (typeof part === 'string') return part;
      const { Ref, 'Fn::GetAtt': getAtt } = part as { Ref?: string; 'Fn::GetAtt'?: string[] };
      return `<${Ref ?? getAtt!.join('.')}>`;
    })
    .join('');
  return JSON.parse(text);
}

/** The lines of the graph titled `title`, without their options. */
function linesOf(widgets: Widget[], title: string): MetricLine[] {
  const widget = widgets.find((each) => each.properties.title === title);
  if (!widget) throw new Error(`no graph titled "${title}" (graphs: ${widgets.map((w) => w.properties.title)})`);
  return widget.properties.metrics!.map((line) => line.filter((item) => typeof item === 'string'));
}

/** The search expression of the graph titled `title`. */
function searchOf(widgets: Widget[], title: string): unknown {
  const widget = widgets.find((each) => each.properties.title === title)!;
  return (widget.properties.metrics![0]![0] as { expression: string }).expression;
}

describe('RelayDashboard', () => {
  let stack: Stack;
  let dashboard: RelayDashboard;
  let template: Template;
  let widgets: Widget[];
  let api: string;
  let queue: Queue;
  let deadLetterQueue: Queue;

  beforeAll(() => {
    // Prepare
    stack = new Stack(undefined, 'SpacesRelay-t', { env: { region: 'eu-west-1' } });
    const fn = (name: string) =>
      LambdaFunction.fromFunctionArn(stack, name, `arn:aws:lambda:eu-west-1:123456789012:function:${name}`);
    const webhooks = new WebhookApi(stack, 'Webhooks', {
      handler: fn('ingest'),
      rateLimit: 50,
      burstLimit: 500,
      logRetention: RetentionDays.ONE_WEEK,
      metricsNamespace: 'SpacesRelay',
    });
    queue = new Queue(stack, 'Queue');
    deadLetterQueue = new Queue(stack, 'DeadLetters');
    // Act
    dashboard = new RelayDashboard(stack, 'Dashboard', {
      dashboardName: 'SpacesRelay-t-eu-west-1',
      metrics: new RelayMetrics('SpacesRelay', 'spaces-relay-t'),
      webhooks,
      deliver: fn('deliver'),
      deliverTimeout: Duration.minutes(5),
      queue,
      deadLetterQueue,
    });
    template = Template.fromStack(stack);
    widgets = dashboardBody(template).widgets;
    api = `<${idOf(webhooks.api)}>`;
  });

  it('is named as given', () => {
    // Assess
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'SpacesRelay-t-eu-west-1' });
  });

  it('shows what came in: received and rejected, the rejections by reason, what was left out, and the API requests', () => {
    // Assess
    const relay = (name: string) => ['SpacesRelay', name, 'service', 'spaces-relay-t'];
    const gateway = (name: string) => ['AWS/ApiGateway', name, 'ApiId', api, 'Stage', '$default'];
    expect(linesOf(widgets, 'Webhooks received and rejected')).toEqual([relay('received'), relay('rejected')]);
    expect(searchOf(widgets, 'Rejected, by reason')).toBe(
      `SEARCH('{SpacesRelay,reason,service} MetricName="rejected" service="spaces-relay-t"', 'Sum', 300)`,
    );
    expect(linesOf(widgets, 'Parts left out of chat-webhook posts')).toEqual([relay('unshown')]);
    expect(searchOf(widgets, 'Dropped by a route, by rule')).toBe(
      `SEARCH('{SpacesRelay,reason,service} MetricName="routeDrops" service="spaces-relay-t"', 'Sum', 300)`,
    );
    expect(linesOf(widgets, 'API requests')).toEqual([
      gateway('Count'),
      gateway('4xx'),
      gateway('5xx'),
      ['SpacesRelay', 'throttledRequests', 'ApiId', api],
    ]);
  });

  it('shows what went out: delivered, deduplicated, retried, dead-lettered and why', () => {
    // Assess
    const relay = (name: string) => ['SpacesRelay', name, 'service', 'spaces-relay-t'];
    expect(linesOf(widgets, 'Delivered')).toEqual([
      relay('delivered'),
      relay('deduplicated'),
      relay('digested'),
      relay('acknowledged'),
    ]);
    expect(linesOf(widgets, 'Retried and dead-lettered')).toEqual([
      relay('retried'),
      relay('deadLettered'),
      relay('credentialFailures'),
    ]);
    expect(searchOf(widgets, 'Dead-lettered, by reason')).toBe(
      `SEARCH('{SpacesRelay,reason,service} MetricName="deadLettered" service="spaces-relay-t"', 'Sum', 300)`,
    );
  });

  it('shows how the queue and deliver keep up: queue age and depth, deliver duration against its timeout', () => {
    // Assess
    const nameOf = (of: Queue) => `<${idOf(of)}.QueueName>`;
    expect(linesOf(widgets, 'Queue')).toEqual([
      ['AWS/SQS', 'ApproximateAgeOfOldestMessage', 'QueueName', nameOf(queue)],
      ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', nameOf(queue)],
      ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', nameOf(deadLetterQueue)],
    ]);
    const duration = widgets.find((widget) => widget.properties.title === 'Deliver duration (ms)')!;
    expect(linesOf(widgets, 'Deliver duration (ms)')).toEqual(
      Array(3).fill(['AWS/Lambda', 'Duration', 'FunctionName', 'deliver']),
    );
    // A graph leaves out the default statistic, Average.
    const stats = duration.properties.metrics!.map((line) => (line.at(-1) as { stat?: string }).stat ?? 'Average');
    expect(stats).toEqual([
      'Average',
      'p99',
      'Maximum',
    ]);
    expect(duration.properties.annotations).toEqual({
      horizontal: [{ value: 300_000, label: 'timeout', yAxis: 'left' }],
    });
  });

  it('links to itself in the CloudWatch console of the stack region', () => {
    // Act
    const url = stack.resolve(dashboard.url);

    // Assess
    expect(url).toEqual({
      'Fn::Join': [
        '',
        [
          'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards:name=',
          { Ref: idOf(dashboard.dashboard) },
        ],
      ],
    });
  });
});

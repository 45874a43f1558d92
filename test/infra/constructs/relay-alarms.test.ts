import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { RelayAlarms } from '../../../infra/constructs/relay-alarms';
import { WebhookApi } from '../../../infra/constructs/webhook-api';
import { RelayMetrics } from '../../../infra/relay-metrics';
import { errorResponse, UnauthorizedError } from '../../../lambda/runtime/errors';
import { idOf } from '../support/relay';

const PAGER_TOPIC = 'arn:aws:sns:eu-west-1:210987654321:ops-pager';

describe('RelayAlarms', () => {
  let template: Template;
  let topic: Topic;
  let queue: Queue;
  let deadLetterQueue: Queue;
  let webhooks: WebhookApi;

  beforeAll(() => {
    // Prepare
    const stack = new Stack();
    topic = new Topic(stack, 'Topic');
    queue = new Queue(stack, 'Queue');
    deadLetterQueue = new Queue(stack, 'DeadLetters');
    const fn = (name: string) =>
      LambdaFunction.fromFunctionArn(stack, name, `arn:aws:lambda:eu-west-1:123456789012:function:${name}`);
    webhooks = new WebhookApi(stack, 'Webhooks', {
      handler: fn('ingest'),
      rateLimit: 50,
      burstLimit: 500,
      logRetention: RetentionDays.ONE_WEEK,
      metricsNamespace: 'SpacesRelay',
    });
    // Act
    new RelayAlarms(stack, 'Alarms', {
      targets: [topic, Topic.fromTopicArn(stack, 'Pager', PAGER_TOPIC)],
      namePrefix: 'SpacesRelay-t-',
      metrics: new RelayMetrics('SpacesRelay', 'spaces-relay-t'),
      webhooks,
      deliver: fn('deliver'),
      queue,
      deadLetterQueue,
    });
    template = Template.fromStack(stack);
  });

  it.each([
    [
      'DeadLetters',
      'AWS/SQS',
      'ApproximateNumberOfMessagesVisible',
      'Maximum',
      60,
      1,
      () => [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [idOf(deadLetterQueue), 'QueueName'] } }],
    ],
    ['DeliverErrors', 'AWS/Lambda', 'Errors', 'Sum', 300, 1, () => [{ Name: 'FunctionName', Value: 'deliver' }]],
    ['DeliverThrottles', 'AWS/Lambda', 'Throttles', 'Sum', 300, 1, () => [{ Name: 'FunctionName', Value: 'deliver' }]],
    [
      'DeliveryBacklog',
      'AWS/SQS',
      'ApproximateAgeOfOldestMessage',
      'Maximum',
      300,
      900,
      () => [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [idOf(queue), 'QueueName'] } }],
    ],
    [
      'CredentialFailures',
      'SpacesRelay',
      'credentialFailures',
      'Sum',
      300,
      1,
      () => [{ Name: 'service', Value: 'spaces-relay-t' }],
    ],
    [
      'ApiServerErrors',
      'AWS/ApiGateway',
      '5xx',
      'Sum',
      300,
      1,
      () => [
        { Name: 'ApiId', Value: { Ref: idOf(webhooks.api) } },
        { Name: 'Stage', Value: '$default' },
      ],
    ],
    [
      'ApiThrottled',
      'SpacesRelay',
      'throttledRequests',
      'Sum',
      300,
      1,
      () => [{ Name: 'ApiId', Value: { Ref: idOf(webhooks.api) } }],
    ],
    [
      'UnauthorizedBurst',
      'SpacesRelay',
      'rejected',
      'Sum',
      900,
      3,
      // The reason ingest counts a refused secret or signature under: the code of its answer.
      () => [
        { Name: 'reason', Value: errorResponse(new UnauthorizedError('bad signature')).body.error },
        { Name: 'service', Value: 'spaces-relay-t' },
      ],
    ],
  ] as const)(
    'alarms on %s, publishing to the alarm topic and the listed topic on alarm and on recovery',
    (name, namespace, metric, statistic, period, threshold, dimensions) => {
      // Assess
      const actions = [{ Ref: idOf(topic) }, PAGER_TOPIC];
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `SpacesRelay-t-${name}`,
        Namespace: namespace,
        MetricName: metric,
        Statistic: statistic,
        Period: period,
        Threshold: threshold,
        EvaluationPeriods: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        Dimensions: dimensions(),
        AlarmActions: actions,
        OKActions: actions,
      });
    },
  );

  it('says in each alarm what it means and what to do', () => {
    // Act
    const descriptions = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
      (alarm) => alarm.Properties.AlarmDescription as string,
    );

    // Assess: two sentences at least, and room to spare under CloudWatch's 1024 characters
    for (const description of descriptions) {
      expect(description.split('. ').length).toBeGreaterThanOrEqual(2);
      expect(description.length).toBeLessThan(1024);
    }
  });

  it('creates no other alarm: ingest errors reach senders as 5xx, which ApiServerErrors counts', () => {
    // Assess
    template.resourceCountIs('AWS::CloudWatch::Alarm', 8);
  });
});

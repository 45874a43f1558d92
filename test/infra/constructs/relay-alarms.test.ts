import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { RelayAlarms } from '../../../infra/constructs/relay-alarms';
import { idOf } from '../support/relay';

describe('RelayAlarms', () => {
  let template: Template;
  let topic: Topic;
  let queue: Queue;
  let deadLetterQueue: Queue;

  beforeAll(() => {
    // Prepare
    const stack = new Stack();
    topic = new Topic(stack, 'Topic');
    queue = new Queue(stack, 'Queue');
    deadLetterQueue = new Queue(stack, 'DeadLetters');
    const fn = (name: string) =>
      LambdaFunction.fromFunctionArn(stack, name, `arn:aws:lambda:eu-west-1:123456789012:function:${name}`);
    // Act
    new RelayAlarms(stack, 'Alarms', {
      topic,
      namePrefix: 'SpacesRelay-t-',
      ingest: fn('ingest'),
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
      () => ({ QueueName: { 'Fn::GetAtt': [idOf(deadLetterQueue), 'QueueName'] } }),
    ],
    ['DeliverErrors', 'AWS/Lambda', 'Errors', 'Sum', 300, 1, () => ({ FunctionName: 'deliver' })],
    ['DeliverThrottles', 'AWS/Lambda', 'Throttles', 'Sum', 300, 1, () => ({ FunctionName: 'deliver' })],
    ['IngestErrors', 'AWS/Lambda', 'Errors', 'Sum', 300, 1, () => ({ FunctionName: 'ingest' })],
    [
      'DeliveryBacklog',
      'AWS/SQS',
      'ApproximateAgeOfOldestMessage',
      'Maximum',
      300,
      900,
      () => ({ QueueName: { 'Fn::GetAtt': [idOf(queue), 'QueueName'] } }),
    ],
  ] as const)(
    'alarms on %s, publishing to the topic on alarm and on recovery',
    (name, namespace, metric, statistic, period, threshold, dimension) => {
      // Assess
      const [key, value] = Object.entries(dimension())[0]!;
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
        Dimensions: [{ Name: key, Value: value }],
        AlarmActions: [{ Ref: idOf(topic) }],
        OKActions: [{ Ref: idOf(topic) }],
      });
    },
  );

  it('creates no other alarm', () => {
    // Assess
    template.resourceCountIs('AWS::CloudWatch::Alarm', 5);
  });
});

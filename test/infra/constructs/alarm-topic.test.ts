import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AlarmTopic, type AlarmTopicProps } from '../../../infra/constructs/alarm-topic';
import { alarmsMayPublish, idOf } from '../support/relay';

const PAGER_TOPIC = 'arn:aws:sns:eu-west-1:210987654321:ops-pager';
const TEAM_TOPIC = 'arn:aws:sns:eu-west-1:123456789012:team-alerts';

/** An alarm topic in a stack of its own, with its template. */
function alarmTopic(subscriptions: AlarmTopicProps['subscriptions']) {
  const stack = new Stack(undefined, 'SpacesRelay-t');
  const queue = new Queue(stack, 'Queue');
  const alarms = new AlarmTopic(stack, 'AlarmTopic', { alarmNamePrefix: 'SpacesRelay-t-', queue, subscriptions });
  return { stack, queue, alarms, template: Template.fromStack(stack) };
}

describe('AlarmTopic', () => {
  let built: ReturnType<typeof alarmTopic>;

  beforeAll(() => {
    // Prepare, Act
    built = alarmTopic({
      emails: ['oncall@example.com', 'lead@example.com'],
      topicArns: [PAGER_TOPIC, TEAM_TOPIC],
      httpsEndpoints: ['https://pager.example.com/hooks/relay'],
    });
  });

  it('is a topic of its own, TLS-only, to which only the relay alarms of this account and region may publish', () => {
    // Assess
    const { template, alarms } = built;
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::SNS::Topic', { DisplayName: 'SpacesRelay-t alarms' });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: idOf(alarms.topic) }],
      PolicyDocument: {
        Statement: [
          {
            Sid: 'AllowPublishThroughSSLOnly',
            Effect: 'Deny',
            Principal: '*',
            Action: 'sns:Publish',
            Resource: { Ref: idOf(alarms.topic) },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
          alarmsMayPublish({ Ref: idOf(alarms.topic) }, 'SpacesRelay-t-*'),
        ],
      },
    });
  });

  it('forwards the alarms into the delivery queue, SNS envelope and all, for the team space', () => {
    // Assess
    const { template, alarms, queue } = built;
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sqs',
      TopicArn: { Ref: idOf(alarms.topic) },
      Endpoint: { 'Fn::GetAtt': [idOf(queue), 'Arn'] },
      RawMessageDelivery: Match.absent(),
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'sqs:SendMessage',
            Principal: { Service: 'sns.amazonaws.com' },
            Condition: { ArnEquals: { 'aws:SourceArn': { Ref: idOf(alarms.topic) } } },
          }),
        ]),
      },
    });
  });

  it('subscribes each e-mail address', () => {
    // Assess
    for (const address of ['oncall@example.com', 'lead@example.com']) {
      built.template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: address,
        TopicArn: { Ref: idOf(built.alarms.topic) },
      });
    }
  });

  it('subscribes each HTTPS endpoint, retried for about half an hour instead of a minute', () => {
    // Assess
    built.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'https',
      Endpoint: 'https://pager.example.com/hooks/relay',
      TopicArn: { Ref: idOf(built.alarms.topic) },
      DeliveryPolicy: {
        healthyRetryPolicy: {
          numRetries: 12,
          numMinDelayRetries: 2,
          numMaxDelayRetries: 4,
          minDelayTarget: 20,
          maxDelayTarget: 300,
          backoffFunction: 'EXPONENTIAL',
        },
      },
    });
  });

  it('targets its own topic, then each listed topic, which it does not subscribe (SNS cannot)', () => {
    // Act
    const targets = built.alarms.targets.map((topic) => built.stack.resolve(topic.topicArn));

    // Assess
    expect(targets).toEqual([{ Ref: idOf(built.alarms.topic) }, PAGER_TOPIC, TEAM_TOPIC]);
    built.template.resourceCountIs('AWS::SNS::Subscription', 4);
  });

  it('forwards into the queue alone, and targets only its own topic, when nothing else is listed', () => {
    // Act
    const { alarms, template } = alarmTopic({ emails: [], topicArns: [], httpsEndpoints: [] });

    // Assess
    template.resourceCountIs('AWS::SNS::Subscription', 1);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'sqs' });
    expect(alarms.targets).toEqual([alarms.topic]);
  });
});

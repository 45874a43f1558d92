import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { EventWiring } from '../../../infra/constructs/event-wiring';
import type { AwsEvents, BucketWatch } from '../../../infra/team-config';
import { alarmsMayPublish, idOf } from '../support/relay';

const partitionArn = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] });

function wire(buckets: BucketWatch[], awsEvents: AwsEvents, objectRemoved = false) {
  const stack = new Stack(undefined, 'Relay');
  const queue = new Queue(stack, 'Queue');
  const events = new EventWiring(stack, 'Events', { queue, buckets, awsEvents, objectRemoved, ownAlarmPrefix: 'Relay-' });
  return { stack, queue, events, template: Template.fromStack(stack) };
}

describe('EventWiring', () => {
  describe('with buckets and every AWS event', () => {
    let wired: ReturnType<typeof wire>;

    beforeAll(() => {
      wired = wire(
        [
          { name: 'reports', prefix: 'daily/', suffix: '.pdf', channel: 'uploads' },
          { name: 'reports', prefix: 'incidents/' },
          { name: 'artifacts', kmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/k-1' },
        ],
        {
          alarmStateChanges: { alarmNamePrefixes: ['payments-'] },
          codebuild: { projects: ['build-api'] },
          codepipeline: { pipelines: [] },
        },
      );
    });

    it('creates a TLS-only topic that CloudWatch alarms and CodeStar notification rules of this account may publish to', () => {
      // Assess
      wired.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [{ Ref: idOf(wired.events.topic) }],
        PolicyDocument: {
          Statement: [
            {
              Sid: 'AllowPublishThroughSSLOnly',
              Effect: 'Deny',
              Action: 'sns:Publish',
              Principal: '*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              Resource: { Ref: idOf(wired.events.topic) },
            },
            alarmsMayPublish({ Ref: idOf(wired.events.topic) }, '*'),
            {
              Sid: 'CodeStarNotificationsPublish',
              Effect: 'Allow',
              Action: 'sns:Publish',
              Principal: { Service: 'codestar-notifications.amazonaws.com' },
              Resource: { Ref: idOf(wired.events.topic) },
              Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
            },
          ],
        },
      });
    });

    it('subscribes the queue to the topic, keeping the SNS envelope, and lets only that topic send', () => {
      // Assess
      wired.template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'sqs',
        TopicArn: { Ref: idOf(wired.events.topic) },
        Endpoint: { 'Fn::GetAtt': [idOf(wired.queue), 'Arn'] },
        RawMessageDelivery: Match.absent(),
      });
      wired.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Action: 'sqs:SendMessage',
              Principal: { Service: 'sns.amazonaws.com' },
              Condition: { ArnEquals: { 'aws:SourceArn': { Ref: idOf(wired.events.topic) } } },
            }),
          ]),
        },
      });
    });

    it('adds object-created notifications, and no others, to the existing buckets, without creating or managing any', () => {
      // Assess
      wired.template.resourceCountIs('AWS::S3::Bucket', 0);
      wired.template.resourceCountIs('Custom::S3BucketNotifications', 2);
      const queueArn = { 'Fn::GetAtt': [idOf(wired.queue), 'Arn'] };
      const rule = (name: string, value: string) => ({ Name: name, Value: value });
      wired.template.hasResourceProperties('Custom::S3BucketNotifications', {
        BucketName: 'reports',
        Managed: false,
        NotificationConfiguration: {
          QueueConfigurations: [
            {
              Events: ['s3:ObjectCreated:*'],
              QueueArn: queueArn,
              Filter: { Key: { FilterRules: [rule('suffix', '.pdf'), rule('prefix', 'daily/')] } },
            },
            {
              Events: ['s3:ObjectCreated:*'],
              QueueArn: queueArn,
              Filter: { Key: { FilterRules: [rule('prefix', 'incidents/')] } },
            },
          ],
        },
      });
      wired.template.hasResourceProperties('Custom::S3BucketNotifications', {
        BucketName: 'artifacts',
        Managed: false,
        NotificationConfiguration: {
          QueueConfigurations: [{ Events: ['s3:ObjectCreated:*'], QueueArn: queueArn, Filter: Match.absent() }],
        },
      });
    });

    it('lets each watched bucket, and only it, send to the queue', () => {
      // Assess
      for (const bucket of ['reports', 'artifacts']) {
        wired.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({
                Action: Match.arrayWith(['sqs:SendMessage']),
                Principal: { Service: 's3.amazonaws.com' },
                Condition: { ArnLike: { 'aws:SourceArn': partitionArn(`:s3:::${bucket}`) } },
              }),
            ]),
          },
        });
      }
    });

    it('routes alarm state changes, builds and pipeline executions to the queue with the configured filters', () => {
      // Assess
      const patterns = Object.values(wired.template.findResources('AWS::Events::Rule')).map(
        (rule) => rule.Properties.EventPattern,
      );
      expect(patterns).toEqual([
        {
          source: ['aws.cloudwatch'],
          'detail-type': ['CloudWatch Alarm State Change'],
          detail: { alarmName: [{ prefix: 'payments-' }] },
        },
        {
          source: ['aws.codebuild'],
          'detail-type': ['CodeBuild Build State Change'],
          detail: { 'project-name': ['build-api'] },
        },
        { source: ['aws.codepipeline'], 'detail-type': ['CodePipeline Pipeline Execution State Change'] },
      ]);
      wired.template.allResourcesProperties('AWS::Events::Rule', {
        State: 'ENABLED',
        Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [idOf(wired.queue), 'Arn'] } })],
      });
    });
  });

  it('asks the buckets for deletions too when they are posted, with the same prefix and suffix filters', () => {
    // Act
    const { template, queue } = wire(
      [
        { name: 'reports', prefix: 'daily/', suffix: '.pdf' },
        { name: 'artifacts' },
      ],
      {},
      true,
    );

    // Assess
    const queueArn = { 'Fn::GetAtt': [idOf(queue), 'Arn'] };
    const daily = { Key: { FilterRules: [{ Name: 'suffix', Value: '.pdf' }, { Name: 'prefix', Value: 'daily/' }] } };
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: 'reports',
      NotificationConfiguration: {
        QueueConfigurations: [
          { Events: ['s3:ObjectCreated:*'], QueueArn: queueArn, Filter: daily },
          { Events: ['s3:ObjectRemoved:*'], QueueArn: queueArn, Filter: daily },
        ],
      },
    });
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: 'artifacts',
      NotificationConfiguration: {
        QueueConfigurations: [
          { Events: ['s3:ObjectCreated:*'], QueueArn: queueArn, Filter: Match.absent() },
          { Events: ['s3:ObjectRemoved:*'], QueueArn: queueArn, Filter: Match.absent() },
        ],
      },
    });
  });

  it("skips the relay's own alarms when alarm state changes are wired without a filter", () => {
    // Act
    const { template } = wire([], { alarmStateChanges: { alarmNamePrefixes: [] } });

    // Assess
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { detail: { alarmName: [{ 'anything-but': { prefix: 'Relay-' } }] } },
    });
  });

  it('wires nothing but the topic when no bucket and no AWS event is configured', () => {
    // Act
    const { template } = wire([], {});

    // Assess
    template.resourceCountIs('AWS::Events::Rule', 0);
    template.resourceCountIs('Custom::S3BucketNotifications', 0);
    template.resourceCountIs('AWS::Lambda::Function', 0);
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.resourceCountIs('AWS::SNS::Topic', 1);
  });
});

import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import type * as v from 'valibot';
import { SpacesRelay, type SpacesRelayProps } from '../../infra/spaces-relay';
import { TeamConfigError, type TEAM_CONFIG_FIELDS } from '../../infra/team-config';
import { readDeliverSettings } from '../../lambda/runtime/config';
import { ConfigError } from '../../lambda/runtime/errors';
import { idOf, MINIMAL_CONFIG } from './support/relay';

// Deliver's reader as it is, watched: the team config schema refuses whatever the reader would, so only a stand-in
// refusal shows that a bucket added later is read by it too.
jest.mock('../../lambda/runtime/config', () => {
  const actual = jest.requireActual<typeof import('../../lambda/runtime/config')>('../../lambda/runtime/config');
  return { ...actual, readDeliverSettings: jest.fn(actual.readDeliverSettings) };
});

// The props mirror the team config: every field of it but where the stack goes (account, region) is a prop, and no
// prop is missing from it but the relay's name and origin. A field added to one and not the other fails the type-check.
type ConfigField = keyof v.InferInput<v.ObjectSchema<typeof TEAM_CONFIG_FIELDS, undefined>>;
type PropsOnly = Exclude<keyof SpacesRelayProps, ConfigField>;
type ConfigOnly = Exclude<ConfigField, keyof SpacesRelayProps>;
const propsOnly: [PropsOnly] extends ['name' | 'origin'] ? true : false = true;
const configOnly: [ConfigOnly] extends ['account' | 'region'] ? true : false = true;

/** A stack of the user's own, in a known account and region, in an app that does not bundle. */
const userStack = (): Stack =>
  new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Platform', {
    env: { account: '123456789012', region: 'eu-west-1' },
  });

const relayProps = (overrides: Partial<SpacesRelayProps> = {}): SpacesRelayProps => ({
  name: 'payments',
  ...MINIMAL_CONFIG,
  ...overrides,
});

const deliverVariables = (stack: Stack, relay: SpacesRelay) =>
  Template.fromStack(stack).toJSON().Resources[idOf(relay.deliver.function)].Properties.Environment.Variables;

describe('SpacesRelay', () => {
  it('mirrors the team config field for field', () => {
    // Assess (the type-check above is the test; this keeps its results in use)
    expect([propsOnly, configOnly]).toEqual([true, true]);
  });

  it("takes the app's own secret, bucket and topic, and wires each by its deployed name or ARN", () => {
    // Prepare
    const stack = userStack();
    const token = new Secret(stack, 'SpacesToken');
    const uploads = new Bucket(stack, 'Uploads');
    const pager = new Topic(stack, 'Pager');

    // Act
    const relay = new SpacesRelay(stack, 'Relay', relayProps({
      tokenSecret: token,
      s3Buckets: [{ bucket: uploads, prefix: 'reports/' }],
      alarmSubscriptions: { topics: [pager] },
    }));

    // Assess
    const template = Template.fromStack(stack);
    const variables = deliverVariables(stack, relay);
    expect(variables.SPACES_TOKEN_SECRET_ID).toEqual({ Ref: idOf(token) });
    expect(stack.resolve(variables.S3_BUCKETS)).toEqual({
      'Fn::Join': ['', ['[{"name":"', { Ref: idOf(uploads) }, '","prefix":"reports/"}]']],
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'secretsmanager:GetSecretValue', Resource: { Ref: idOf(token) } }),
          Match.objectLike({
            Action: ['s3:GetObject', 's3:GetObjectVersion'],
            Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::', { Ref: idOf(uploads) }, '/reports/*']] },
          }),
        ]),
      },
    });
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: { Ref: idOf(uploads) },
      NotificationConfiguration: { QueueConfigurations: [Match.objectLike({ Events: ['s3:ObjectCreated:*'] })] },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'Platform-DeadLetters',
      AlarmActions: Match.arrayWith([{ Ref: idOf(pager) }]),
    });
  });

  it('exposes what a user wires further: the API, the queues, the topics and the dashboard', () => {
    // Prepare
    const stack = userStack();

    // Act
    const relay = new SpacesRelay(stack, 'Relay', relayProps());

    // Assess
    expect([relay.api, relay.queue, relay.deadLetterQueue, relay.notificationTopic]).toEqual([
      relay.webhooks.api,
      relay.delivery.queue,
      relay.delivery.deadLetterQueue,
      relay.events.topic,
    ]);
    expect(relay.alarmTopic.topic).toBeInstanceOf(Topic);
    expect(relay.dashboard.dashboard.node.path).toBe('Platform/Relay/Dashboard/Dashboard');
  });

  it('gives the webhook URL of a source, and of a source and channel', () => {
    // Prepare
    const stack = userStack();
    const relay = new SpacesRelay(stack, 'Relay', relayProps({ channels: { ...MINIMAL_CONFIG.channels, ops: '5f2276a8fe5c16664f01c5bf' } }));

    // Act
    const urls = [relay.webhookUrl('grafana'), relay.webhookUrl('alertmanager', 'ops')].map((url) => stack.resolve(url));

    // Assess
    const url = (path: string) => ({
      'Fn::Join': ['', ['https://', { Ref: idOf(relay.api) }, '.execute-api.eu-west-1.', { Ref: 'AWS::URLSuffix' }, path]],
    });
    expect(urls).toEqual([url('/hooks/grafana'), url('/hooks/alertmanager/ops')]);
  });

  it.each<[string, string, string | undefined, string]>([
    ['a source it does not accept', 'github', undefined, '"github" is not one of the sources (alertmanager, grafana)'],
    ['a channel it does not have', 'grafana', 'ops', '"ops" is not one of the channels (default)'],
  ])('refuses the webhook URL of %s', (_what, source, channel, message) => {
    // Prepare
    const relay = new SpacesRelay(userStack(), 'Relay', relayProps());

    // Act
    const url = () => relay.webhookUrl(source, channel);

    // Assess
    expect(url).toThrow(TeamConfigError);
    expect(url).toThrow(`SpacesRelay Platform/Relay: ${message}`);
  });

  it('checks its props with the team config schema, naming itself and each bad field', () => {
    // Prepare
    const props = relayProps({ channels: { default: 'not-a-space' }, digestThreshold: 0 });

    // Act
    const creating = () => new SpacesRelay(userStack(), 'Relay', props);

    // Assess
    expect(creating).toThrow(TeamConfigError);
    expect(creating).toThrow(
      'SpacesRelay Platform/Relay is not a valid team config:\n' +
        "  channels.default: must be a Spaces space id, 24 hexadecimal characters (the last part of the space's address)\n" +
        '  digestThreshold: must be at least 1',
    );
  });

  it('refuses the token secret as the inbound secret, given as the same secret object', () => {
    // Prepare
    const stack = userStack();
    const secret = new Secret(stack, 'Shared');

    // Act
    const creating = () => new SpacesRelay(stack, 'Relay', relayProps({ tokenSecret: secret, inboundSecret: secret }));

    // Assess
    expect(creating).toThrow('inboundSecret: must differ from tokenSecret: senders would hold the Spaces token');
  });

  it('watches one more bucket added later: notification, read grant and deliver setting', () => {
    // Prepare
    const stack = userStack();
    const relay = new SpacesRelay(stack, 'Relay', relayProps({ s3Buckets: [{ bucket: 'existing-reports' }] }));
    const uploads = new Bucket(stack, 'Uploads');

    // Act
    relay.addBucket(uploads, { suffix: '.pdf' });

    // Assess
    const template = Template.fromStack(stack);
    template.resourceCountIs('Custom::S3BucketNotifications', 2);
    template.hasResourceProperties('Custom::S3BucketNotifications', { BucketName: { Ref: idOf(uploads) } });
    expect(stack.resolve(deliverVariables(stack, relay).S3_BUCKETS)).toEqual({
      'Fn::Join': ['', ['[{"name":"existing-reports"},{"name":"', { Ref: idOf(uploads) }, '","suffix":".pdf"}]']],
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::', { Ref: idOf(uploads) }, '/*.pdf']] },
          }),
        ]),
      },
    });
  });

  it("lets deliver decrypt, through S3 only, the objects of an app's bucket encrypted with its own key", () => {
    // Prepare
    const stack = userStack();
    const uploads = new Bucket(stack, 'Uploads', { encryption: BucketEncryption.KMS });
    const evidence = new Bucket(stack, 'Evidence', { encryption: BucketEncryption.KMS });

    // Act
    const relay = new SpacesRelay(stack, 'Relay', relayProps({
      s3Buckets: [{ bucket: uploads }],
      attachments: { s3Buckets: [{ bucket: evidence, prefix: 'cases/' }] },
    }));

    // Assess
    const [policy] = Object.values(
      Template.fromStack(stack).findResources('AWS::IAM::Policy', {
        Properties: { Roles: [{ Ref: idOf(relay.deliver.role) }] },
      }),
    );
    expect(policy?.Properties.PolicyDocument.Statement).toContainEqual({
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: [
        { 'Fn::GetAtt': [idOf(uploads.encryptionKey!), 'Arn'] },
        { 'Fn::GetAtt': [idOf(evidence.encryptionKey!), 'Arn'] },
      ],
      Condition: {
        StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
      },
    });
  });

  it("leaves cdk-nag no unacknowledged wildcard on the objects of the app's own bucket", () => {
    // Prepare
    const stack = userStack();
    const uploads = new Bucket(stack, 'Uploads');
    const relay = new SpacesRelay(stack, 'Relay', relayProps({ s3Buckets: [{ bucket: uploads, prefix: 'r/' }] }));
    relay.addBucket(new Bucket(stack, 'Reports'));
    Template.fromStack(stack);

    // Act
    const report = new AwsSolutionsChecks().validateScope(relay);

    // Assess
    expect(report.violations).toEqual([]);
  });

  it("watches a bucket of another stack of the app from the relay's stack, which alone depends on the other", () => {
    // Prepare
    const stack = userStack();
    const data = new Stack(stack.node.scope, 'Data', { env: { account: '123456789012', region: 'eu-west-1' } });
    const archive = new Bucket(data, 'Archive');

    // Act
    new SpacesRelay(stack, 'Relay', relayProps({ s3Buckets: [{ bucket: archive, prefix: 'r/' }] }));

    // Assess
    Template.fromStack(stack).hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: { 'Fn::ImportValue': Match.stringLikeRegexp(`^Data:ExportsOutputRef${idOf(archive)}`) },
      NotificationConfiguration: {
        QueueConfigurations: [Match.objectLike({ Events: ['s3:ObjectCreated:*'], Filter: Match.anyValue() })],
      },
    });
    Template.fromStack(data).resourceCountIs('Custom::S3BucketNotifications', 0);
    expect([stack.dependencies, data.dependencies]).toEqual([[data], []]);
  });

  it("checks deliver's settings again with a bucket added later, with deliver's own reader", () => {
    // Prepare
    const relay = new SpacesRelay(userStack(), 'Relay', relayProps({ s3Buckets: [{ bucket: 'reports' }] }));
    jest.mocked(readDeliverSettings).mockImplementationOnce((env) => {
      throw new ConfigError('invalid', [{ field: 'S3_BUCKETS', problem: `refused ${env.S3_BUCKETS}` }]);
    });

    // Act
    const adding = () => relay.addBucket('uploads', { prefix: 'in/' });

    // Assess
    expect(adding).toThrow(
      'SpacesRelay Platform/Relay gives the deliver function settings it would refuse at start-up:\n' +
        '  S3_BUCKETS: refused [{"name":"reports"},{"name":"uploads","prefix":"in/"}]',
    );
  });

  it('refuses a bucket added later that overlaps one it watches, as the team config does', () => {
    // Prepare
    const relay = new SpacesRelay(userStack(), 'Relay', relayProps({ s3Buckets: [{ bucket: 'reports', prefix: 'daily/' }] }));

    // Act
    const adding = () => relay.addBucket('reports');

    // Assess
    expect(adding).toThrow(/\n {2}s3Buckets\.1: overlaps s3Buckets\.0: same bucket/);
  });

  it('wires EventBridge rules added later, each kind once', () => {
    // Prepare
    const stack = userStack();
    const relay = new SpacesRelay(stack, 'Relay', relayProps({ awsEvents: { codebuild: { projects: ['api'] } } }));

    // Act
    relay.addAwsEvents({ codepipeline: { pipelines: ['release'] } });
    const again = () => relay.addAwsEvents({ codebuild: {} });

    // Assess
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.codepipeline'], detail: { pipeline: ['release'] } },
    });
    Template.fromStack(stack).resourceCountIs('AWS::Events::Rule', 2);
    expect(again).toThrow('SpacesRelay Platform/Relay: awsEvents codebuild already wired');
  });

  it('refuses a second relay in the same stack, whose names would clash', () => {
    // Prepare
    const stack = userStack();
    new SpacesRelay(stack, 'Relay', relayProps());

    // Act
    const second = () => new SpacesRelay(stack, 'Other', relayProps({ name: 'search' }));

    // Assess
    expect(second).toThrow("Platform/Other: the stack already holds a SpacesRelay (Platform/Relay)");
  });
});

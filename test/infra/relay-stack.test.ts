import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Token, Validations, type App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { RelayStack } from '../../infra/relay-stack';
import { TeamConfigError, type Team, type TeamConfig } from '../../infra/team-config';
import { readDeliverConfig } from '../../lambda/runtime/config';
import { addRelayStack, deployedEnvironment, exampleTeam, idOf, relayStack, team, TEAMS_DIR, testApp } from './support/relay';

const TOKEN_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:relay/token-AbC123';

/** The templates of teams/example.json as the stack passes them on: without their comment. */
const { '//': _comment, ...exampleTemplates } = (
  JSON.parse(readFileSync(join(TEAMS_DIR, 'example.json'), 'utf8')) as { templates: Record<string, unknown> }
).templates;

const arnOf = (construct: IConstruct) => ({ 'Fn::GetAtt': [idOf(construct), 'Arn'] });
const refOf = (construct: IConstruct) => ({ Ref: idOf(construct) });
const partitionArn = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] });

/** The names of the webhook URL outputs, sorted. */
/** The example's routes as the stack passes them on: compact JSON, the "//" comments left out. */
const EXAMPLE_ROUTES = JSON.stringify([
  { match: { source: ['codebuild', 'codepipeline'] }, channel: 'ci' },
  { match: { status: 'success', branch: { regex: '^(feature|bugfix)/' } }, drop: true },
  { match: { labels: { team: 'build-infra' } }, channel: 'ci' },
  { match: { bucket: 'example-reports', prefix: 'tmp/' }, drop: true },
]);

/** The example's mentions as the stack passes them on. */
const EXAMPLE_MENTIONS = JSON.stringify({
  targets: {
    oncall: { id: '5f1a2b3c4d5e6f7a8b9c0e01', name: 'Example on-call', type: 'group' },
    dana: { id: '5f1a2b3c4d5e6f7a8b9c0e02', name: 'Dana Example', type: 'user' },
  },
  committers: { 'dana-example': 'dana' },
  rules: [
    // Match keys in the schema's order, as the stack writes them.
    { match: { status: 'firing', severity: 'critical' }, mention: ['oncall'] },
    { match: { source: ['github', 'gitlab', 'circleci'], status: 'failure' }, mentionCommitter: true },
  ],
});

const webhookOutputs = (template: Template) =>
  Object.keys(template.findOutputs('*'))
    .filter((name) => name.startsWith('WebhookUrl'))
    .sort();

/** The statements of the policy attached to `role`, which must be its only one. */
function statementsOf(template: Template, role: IConstruct): unknown[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [refOf(role)] } }));
  expect(policies).toHaveLength(1);
  return policies[0]!.Properties.PolicyDocument.Statement as unknown[];
}

describe('RelayStack for the example team', () => {
  let stack: RelayStack;
  let template: Template;

  beforeAll(() => {
    ({ stack, template } = relayStack(exampleTeam()));
  });

  it('is named after the team and deploys where the team config says', () => {
    // Assess
    expect(stack.stackName).toBe('SpacesRelay-example');
    expect(stack.account).toBe('123456789012');
    expect(stack.region).toBe('eu-west-1');
  });

  it('runs both functions on nodejs22.x, arm64, 256 MB, with their own log group', () => {
    // Assess
    for (const [fn, timeout] of [
      [stack.relay.ingest, 10],
      [stack.relay.deliver, 300],
    ] as const) {
      template.hasResource('AWS::Lambda::Function', {
        Properties: {
          Runtime: 'nodejs22.x',
          Architectures: ['arm64'],
          MemorySize: 256,
          Timeout: timeout,
          Handler: 'index.handler',
          LoggingConfig: { LogGroup: refOf(fn.logGroup) },
          Role: arnOf(fn.role),
        },
      });
      expect(template.toJSON().Resources[idOf(fn.logGroup)]).toMatchObject({
        Type: 'AWS::Logs::LogGroup',
        Properties: { RetentionInDays: 30 },
      });
    }
    template.hasResourceProperties('AWS::Lambda::Function', { Timeout: 300, EphemeralStorage: { Size: 1024 } });
  });

  it('gives ingest exactly the environment the ingest code reads', () => {
    // Assess
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 10,
      Environment: {
        Variables: Match.objectEquals({
          POWERTOOLS_SERVICE_NAME: 'spaces-relay-example',
          POWERTOOLS_METRICS_NAMESPACE: 'SpacesRelay',
          POWERTOOLS_LOG_LEVEL: 'INFO',
          WEBHOOK_SECRET_ID: 'spaces-relay/example/webhook-token',
          QUEUE_URL: refOf(stack.relay.delivery.queue),
          CHANNELS: JSON.stringify({
            default: '5f1a2b3c4d5e6f7a8b9c0d1e',
            ci: '5f1a2b3c4d5e6f7a8b9c0d1f',
            uploads: '5f1a2b3c4d5e6f7a8b9c0d20',
          }),
          ENABLED_SOURCES: 'alertmanager,grafana,generic,github,gitlab,jenkins,circleci,sns',
          SOURCE_SETTINGS: JSON.stringify({ github: { inProgress: false }, codebuild: { states: ['SUCCEEDED', 'FAILED'] }, grafana: { useSenderText: true } }),
          TEMPLATES: JSON.stringify(exampleTemplates),
          INBOUND_SECRET_GRACE_MINUTES: '60',
          ROUTES: EXAMPLE_ROUTES,
        }),
      },
    });
  });

  it('gives deliver exactly the environment the deliver code reads', () => {
    // Assess
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 300,
      Environment: {
        Variables: Match.objectEquals({
          POWERTOOLS_SERVICE_NAME: 'spaces-relay-example',
          POWERTOOLS_METRICS_NAMESPACE: 'SpacesRelay',
          POWERTOOLS_LOG_LEVEL: 'INFO',
          SPACES_API_URL: 'https://spacesapis.avayacloud.com',
          SPACES_TOKEN_SECRET_ID: 'spaces-relay/example/spaces-token',
          CHANNELS: JSON.stringify({
            default: '5f1a2b3c4d5e6f7a8b9c0d1e',
            ci: '5f1a2b3c4d5e6f7a8b9c0d1f',
            uploads: '5f1a2b3c4d5e6f7a8b9c0d20',
          }),
          ATTACHMENT_MAX_BYTES: '104857600',
          ATTACHMENT_URL_HOSTS: 'grafana.example.com,*.example.org,http://grafana.internal:3000',
          ATTACHMENT_S3_BUCKETS: 'example-runbooks,example-diagnostics',
          ATTACHMENT_FAILURE: 'note',
          IDEMPOTENCY_TABLE: refOf(stack.relay.idempotency),
          S3_BUCKETS: JSON.stringify([
            { name: 'example-reports', prefix: 'daily/', suffix: '.pdf', channel: 'uploads' },
            { name: 'example-reports', prefix: 'incidents/' },
            { name: 'example-artifacts' },
          ]),
          SOURCE_SETTINGS: JSON.stringify({ github: { inProgress: false }, codebuild: { states: ['SUCCEEDED', 'FAILED'] }, grafana: { useSenderText: true } }),
          TEMPLATES: JSON.stringify(exampleTemplates),
          RESOLVE_MODE: 'edit-and-post',
          DIGEST_THRESHOLD: '20',
          ROUTES: EXAMPLE_ROUTES,
          MENTIONS: EXAMPLE_MENTIONS,
          DLQ_URL: refOf(stack.relay.delivery.deadLetterQueue),
          QUEUE_URL: refOf(stack.relay.delivery.queue),
          QUEUE_MAX_RECEIVES: '10',
          DELIVER_CONCURRENCY: '2',
          // 20 days: 4 in the delivery queue, 14 in the dead-letter queue, 2 of margin.
          STATE_TTL_SECONDS: '1728000',
        }),
      },
    });
  });

  // Every version of the secret is read with GetSecretValue (AWSCURRENT, AWSPREVIOUS by stage, with its creation
  // date): a rotation with a grace period needs no other action.
  it('lets ingest write its logs, read the inbound secret and send to the queue, nothing more', () => {
    // Assess
    expect(statementsOf(template, stack.relay.ingest.role)).toEqual([
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: arnOf(stack.relay.ingest.logGroup),
      },
      {
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: partitionArn(
          ':secretsmanager:eu-west-1:123456789012:secret:spaces-relay/example/webhook-token-??????',
        ),
      },
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: arnOf(stack.relay.delivery.queue) },
    ]);
  });

  it('lets deliver read and renew the token, use its table, dead-letter, read the configured objects, consume the queue, nothing more', () => {
    // Assess
    expect(statementsOf(template, stack.relay.deliver.role)).toEqual([
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: arnOf(stack.relay.deliver.logGroup),
      },
      {
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: partitionArn(
          ':secretsmanager:eu-west-1:123456789012:secret:spaces-relay/example/spaces-token-??????',
        ),
      },
      {
        Effect: 'Allow',
        Action: 'secretsmanager:PutSecretValue',
        Resource: partitionArn(
          ':secretsmanager:eu-west-1:123456789012:secret:spaces-relay/example/spaces-token-??????',
        ),
      },
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        Resource: arnOf(stack.relay.idempotency),
      },
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: arnOf(stack.relay.delivery.deadLetterQueue) },
      {
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:GetObjectVersion'],
        Resource: [
          partitionArn(':s3:::example-reports/daily/*.pdf'),
          partitionArn(':s3:::example-reports/incidents/*'),
          partitionArn(':s3:::example-artifacts/*'),
          partitionArn(':s3:::example-runbooks/*'),
          partitionArn(':s3:::example-diagnostics/heap-dumps/*'),
        ],
      },
      {
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: [
          'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
          'arn:aws:kms:eu-west-1:123456789012:key/5678efgh-56ef-78gh-90ij-5678901234ef',
        ],
        Condition: {
          StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
        },
      },
      {
        Effect: 'Allow',
        Action: [
          'sqs:ReceiveMessage',
          'sqs:ChangeMessageVisibility',
          'sqs:GetQueueUrl',
          'sqs:DeleteMessage',
          'sqs:GetQueueAttributes',
        ],
        Resource: arnOf(stack.relay.delivery.queue),
      },
    ]);
  });

  it('attaches no managed policy to the function roles', () => {
    // Assess
    for (const role of [stack.relay.ingest.role, stack.relay.deliver.role]) {
      expect(template.toJSON().Resources[idOf(role)].Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  it('feeds deliver batches of up to 50 gathered for 10 s, reporting partial failures, at most two at a time', () => {
    // Assess
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: arnOf(stack.relay.delivery.queue),
      FunctionName: refOf(stack.relay.deliver.function),
      BatchSize: 50,
      MaximumBatchingWindowInSeconds: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
    });
    // Reserved concurrency would throttle the SQS pollers and fail on accounts with a small quota (see the stack).
    template.allResourcesProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: Match.absent() });
  });

  it('sets an environment deliver reads as the team config means it', () => {
    // Prepare
    const mapping = Object.values(template.findResources('AWS::Lambda::EventSourceMapping'))[0]!;

    // Act
    const config = readDeliverConfig(deployedEnvironment(template, stack.relay.deliver.function));

    // Assess: the rate-limit share matches the concurrency the event source allows
    expect(config.DELIVER_CONCURRENCY).toBe(mapping.Properties.ScalingConfig.MaximumConcurrency);
    expect([...config.attachableBuckets].sort()).toEqual([
      'example-artifacts',
      'example-diagnostics',
      'example-reports',
      'example-runbooks',
    ]);
    expect(config.ATTACHMENT_FAILURE).toBe('note');
  });

  it('hides a received message for six deliver timeouts, and dead-letters it after ten receives', () => {
    // Prepare
    const resources = template.toJSON().Resources;

    // Assess
    expect(resources[idOf(stack.relay.delivery.queue)].Properties).toMatchObject({
      VisibilityTimeout: 6 * resources[idOf(stack.relay.deliver.function)].Properties.Timeout,
      RedrivePolicy: { deadLetterTargetArn: arnOf(stack.relay.delivery.deadLetterQueue), maxReceiveCount: 10 },
    });
  });

  it('keeps delivery keys in an on-demand table with a TTL, keyed as Powertools idempotency expects', () => {
    // Assess
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
    });
  });

  it('keeps delivery state longer than a notification can wait in the queue and then the dead-letter queue', () => {
    // Prepare
    const resources = template.toJSON().Resources;
    const retention = (queue: IConstruct) => resources[idOf(queue)].Properties.MessageRetentionPeriod as number;

    // Act
    const { STATE_TTL_SECONDS } = readDeliverConfig(deployedEnvironment(template, stack.relay.deliver.function));
    const longestWait = retention(stack.relay.delivery.queue) + retention(stack.relay.delivery.deadLetterQueue);

    // Assess: deliver redriven from the dead-letter queue on its last day still finds what it did, with a day to spare
    expect(longestWait).toBe((4 + 14) * 24 * 3600);
    expect(STATE_TTL_SECONDS).toBeGreaterThanOrEqual(longestWait + 24 * 3600);
  });

  it('uses the configured inbound secret instead of generating one', () => {
    // Assess
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    template.hasOutput('InboundSecretArn', {
      Value: partitionArn(':secretsmanager:eu-west-1:123456789012:secret:spaces-relay/example/webhook-token'),
    });
  });

  it('serves the API on its custom domain, with the alias record in the hosted zone', () => {
    // Assess
    template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: 'relay.example.com',
      DomainNameConfigurations: [
        {
          CertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789',
          EndpointType: 'REGIONAL',
          SecurityPolicy: 'TLS_1_2',
        },
      ],
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::ApiMapping', {
      ApiId: refOf(stack.relay.webhooks.api),
      DomainName: refOf(stack.relay.webhooks.domain!),
      Stage: '$default',
    });
    template.resourceCountIs('AWS::Route53::RecordSet', 1);
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      HostedZoneId: 'Z0123456789ABCDEFGHIJ',
      Name: 'relay.example.com.',
      Type: 'A',
    });
    template.hasOutput('ApiDomainTarget', { Value: { 'Fn::GetAtt': [idOf(stack.relay.webhooks.domain!), 'RegionalDomainName'] } });
  });

  it('outputs a webhook URL per enabled source, the auto-detect URL, the topic and the dead-letter queue', () => {
    // Prepare: on the custom domain
    const url = (path: string) => `https://relay.example.com${path}`;

    // Assess
    for (const [output, source] of [
      ['WebhookUrlAlertmanager', 'alertmanager'],
      ['WebhookUrlGrafana', 'grafana'],
      ['WebhookUrlGeneric', 'generic'],
      ['WebhookUrlGithub', 'github'],
      ['WebhookUrlGitlab', 'gitlab'],
      ['WebhookUrlJenkins', 'jenkins'],
      ['WebhookUrlCircleci', 'circleci'],
      ['WebhookUrlSns', 'sns'],
    ]) {
      template.hasOutput(output!, { Value: url(`/hooks/${source}`) });
    }
    template.hasOutput('WebhookUrlAutoDetect', { Value: url('/hooks') });
    template.hasOutput('ApiUrl', { Value: url('/') });
    template.hasOutput('NotificationTopicArn', { Value: refOf(stack.relay.events.topic) });
    template.hasOutput('DeadLetterQueueUrl', { Value: refOf(stack.relay.delivery.deadLetterQueue) });
  });

  it('outputs the alarm topic, and the dashboard in the console of its region', () => {
    // Assess
    template.hasOutput('AlarmTopicArn', { Value: refOf(stack.relay.alarmTopic.topic) });
    template.hasOutput('DashboardUrl', {
      Value: {
        'Fn::Join': [
          '',
          [
            'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards:name=',
            refOf(stack.relay.dashboard.dashboard),
          ],
        ],
      },
    });
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'SpacesRelay-example-eu-west-1' });
  });

  it("sends every alarm to the relay's own alarm topic and the listed topic, never to the notification topic", () => {
    // Prepare
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    const actions = [refOf(stack.relay.alarmTopic.topic), 'arn:aws:sns:eu-west-1:123456789012:example-ops-pager'];

    // Assess
    expect(alarms).toHaveLength(8);
    for (const alarm of alarms) {
      expect(alarm.Properties).toMatchObject({ AlarmActions: actions, OKActions: actions });
    }
  });

  it('subscribes the listed e-mail address and HTTPS endpoint to the alarm topic, and the delivery queue to both topics', () => {
    // Assess
    const subscriptions = Object.values(template.findResources('AWS::SNS::Subscription')).map(
      ({ Properties: { Protocol, TopicArn, Endpoint } }) => ({ Protocol, TopicArn, Endpoint }),
    );
    expect(subscriptions).toEqual(
      expect.arrayContaining([
        { Protocol: 'sqs', TopicArn: refOf(stack.relay.events.topic), Endpoint: arnOf(stack.relay.delivery.queue) },
        { Protocol: 'sqs', TopicArn: refOf(stack.relay.alarmTopic.topic), Endpoint: arnOf(stack.relay.delivery.queue) },
        { Protocol: 'email', TopicArn: refOf(stack.relay.alarmTopic.topic), Endpoint: 'oncall@example.com' },
        {
          Protocol: 'https',
          TopicArn: refOf(stack.relay.alarmTopic.topic),
          Endpoint: 'https://events.pagerduty.example/integration/0123456789abcdef/enqueue',
        },
      ]),
    );
    expect(subscriptions).toHaveLength(4);
  });

  it('throttles the webhook API at 50 requests a second with bursts of 500 by default', () => {
    // Assess
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 500 },
    });
  });

  it('warns of nothing for a team whose alarms reach somebody besides its space', () => {
    // Assess
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });
});

describe('RelayStack for a minimal team', () => {
  let stack: RelayStack;
  let template: Template;

  beforeAll(() => {
    ({ stack, template } = relayStack(team({ tokenSecret: TOKEN_ARN })));
  });

  it('generates the inbound secret, and outputs its ARN, never its value', () => {
    // Assess
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 48, ExcludePunctuation: true, IncludeSpace: false },
    });
    const secretId = Object.keys(template.findResources('AWS::SecretsManager::Secret'))[0]!;
    template.hasOutput('InboundSecretArn', { Value: { Ref: secretId } });
    expect(JSON.stringify(template.toJSON())).not.toContain('resolve:secretsmanager');
    expect(statementsOf(template, stack.relay.ingest.role)).toContainEqual({
      Effect: 'Allow',
      Action: 'secretsmanager:GetSecretValue',
      Resource: { Ref: secretId },
    });
  });

  it('grants the token secret given by complete ARN as exactly that ARN, to read and to renew', () => {
    // Assess
    expect(statementsOf(template, stack.relay.deliver.role)).toContainEqual({
      Effect: 'Allow',
      Action: 'secretsmanager:GetSecretValue',
      Resource: TOKEN_ARN,
    });
    expect(statementsOf(template, stack.relay.deliver.role)).toContainEqual({
      Effect: 'Allow',
      Action: 'secretsmanager:PutSecretValue',
      Resource: TOKEN_ARN,
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ SPACES_TOKEN_SECRET_ID: TOKEN_ARN }) },
    });
  });

  it('grants no S3 or KMS access and outputs only the enabled sources when no bucket is watched', () => {
    // Assess
    const actions = statementsOf(template, stack.relay.deliver.role).flatMap(
      (statement) => (statement as { Action: string | string[] }).Action,
    );
    expect(actions.filter((action) => /^(s3|kms):/.test(action))).toEqual([]);
    expect(webhookOutputs(template)).toEqual(['WebhookUrlAlertmanager', 'WebhookUrlAutoDetect', 'WebhookUrlGrafana']);
  });

  it("warns at synth that nobody hears of the relay's alarms when delivery fails, as it lists no alarm subscription", () => {
    // Act
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.anyValue());

    // Assess
    expect(warnings.map((warning) => warning.entry.data)).toEqual([
      expect.stringMatching(
        /^teams\/test\.json lists no alarmSubscriptions: the relay's alarms reach only the team's space, through the very delivery they watch, so nobody hears when Spaces, the token or deliver fails\./,
      ),
    ]);
  });

  it('stays environment-agnostic when the team config names no account or region', () => {
    // Assess
    expect(Token.isUnresolved(stack.account)).toBe(true);
    expect(Token.isUnresolved(stack.region)).toBe(true);
    template.hasOutput('ApiUrl', { Value: { 'Fn::Join': ['', Match.arrayWith([{ Ref: 'AWS::Region' }])] } });
  });

  it('has no custom domain, DNS record or domain output when the team config names no domain', () => {
    // Assess
    template.resourceCountIs('AWS::ApiGatewayV2::DomainName', 0);
    template.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 0);
    template.resourceCountIs('AWS::Route53::RecordSet', 0);
    expect(template.findOutputs('ApiDomainTarget')).toEqual({});
  });
});

describe('RelayStack for a team with a custom domain and its own DNS', () => {
  const CERTIFICATE = 'arn:aws:acm:eu-central-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789';
  const domain = { name: 'hooks.payments.example', certificateArn: CERTIFICATE };

  it('outputs every URL on the domain, and the name a CNAME should point at, without making a DNS record', () => {
    // Act
    const { stack, template } = relayStack(team({ region: 'eu-central-1', domain }));

    // Assess
    template.hasOutput('ApiUrl', { Value: 'https://hooks.payments.example/' });
    template.hasOutput('WebhookUrlAutoDetect', { Value: 'https://hooks.payments.example/hooks' });
    template.hasOutput('WebhookUrlGrafana', { Value: 'https://hooks.payments.example/hooks/grafana' });
    template.hasOutput('ApiDomainTarget', {
      Value: { 'Fn::GetAtt': [idOf(stack.relay.webhooks.domain!), 'RegionalDomainName'] },
      Description: 'Point a CNAME record for the custom domain at this name',
    });
    template.resourceCountIs('AWS::ApiGatewayV2::DomainName', 1);
    template.resourceCountIs('AWS::Route53::RecordSet', 0);
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('domain'))).toEqual([]);
  });

  it("warns at synth that the certificate's region cannot be checked when the team config names no region", () => {
    // Act
    const { stack } = relayStack(team({ domain }, 'payments'));

    // Assess
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('domain')).map((warning) => warning.entry.data)).toEqual([
      'domain.certificateArn is a certificate in eu-central-1; teams/payments.json names no region, so synth cannot check that the stack deploys there (a regional API needs its certificate in its own region): add "region" to be sure [ack: spaces-relay:certificate-region]',
    ]);
  });
});

describe('RelayStack for a team that attaches objects from buckets it does not watch', () => {
  const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/k-dumps';
  let stack: RelayStack;
  let template: Template;

  beforeAll(() => {
    ({ stack, template } = relayStack(
      team({
        attachments: {
          s3Buckets: [
            { name: 'runbooks', prefix: 'ops/' },
            { name: 'runbooks', prefix: 'db/' },
            { name: 'dumps', kmsKeyArn: KEY },
          ],
          onFailure: 'retry',
        },
      }),
    ));
  });

  it('tells deliver each bucket once, and to retry a notification whose file failed to upload', () => {
    // Assess
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          ATTACHMENT_S3_BUCKETS: 'runbooks,dumps',
          ATTACHMENT_FAILURE: 'retry',
          S3_BUCKETS: '[]',
        }),
      },
    });
  });

  it('lets deliver read only under the given prefixes, and decrypt with the given key through S3', () => {
    // Assess
    expect(statementsOf(template, stack.relay.deliver.role)).toEqual(
      expect.arrayContaining([
        {
          Effect: 'Allow',
          Action: ['s3:GetObject', 's3:GetObjectVersion'],
          Resource: [
            partitionArn(':s3:::runbooks/ops/*'),
            partitionArn(':s3:::runbooks/db/*'),
            partitionArn(':s3:::dumps/*'),
          ],
        },
        {
          Effect: 'Allow',
          Action: 'kms:Decrypt',
          Resource: KEY,
          Condition: {
            StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
          },
        },
      ]),
    );
  });

  it('adds no event notification to those buckets', () => {
    // Assess
    template.resourceCountIs('Custom::S3BucketNotifications', 0);
  });
});

describe('RelayStack for a team whose uploads are posted', () => {
  /** The event types each watched bucket is asked to announce, by bucket. */
  const announced = (template: Template) =>
    Object.fromEntries(
      Object.values(template.findResources('Custom::S3BucketNotifications')).map((resource) => [
        resource.Properties.BucketName,
        (resource.Properties.NotificationConfiguration.QueueConfigurations as { Events: string[] }[]).flatMap((q) => q.Events),
      ]),
    );
  const buckets = { s3Buckets: [{ name: 'acme-reports', prefix: 'daily/' }, { name: 'acme-screens' }] };

  it('asks the buckets for new objects only, when deletions are not posted', () => {
    // Act
    const { template } = relayStack(team(buckets));

    // Assess
    expect(announced(template)).toEqual({ 'acme-reports': ['s3:ObjectCreated:*'], 'acme-screens': ['s3:ObjectCreated:*'] });
  });

  it('asks them for deletions too with sourceSettings.s3.objectRemoved, which deliver then posts', () => {
    // Act
    const { stack, template } = relayStack(team({ ...buckets, sourceSettings: { s3: { objectRemoved: true } } }));

    // Assess
    const both = ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'];
    expect(announced(template)).toEqual({ 'acme-reports': both, 'acme-screens': both });
    const deliver = readDeliverConfig(deployedEnvironment(template, stack.relay.deliver.function));
    expect(deliver.SOURCE_SETTINGS.get('s3')).toMatchObject({ objectRemoved: true });
  });
});

describe('RelayStack checks', () => {
  const teams: [string, () => Team][] = [
    ['the example team', exampleTeam],
    ['a minimal team with a generated inbound secret', () => team()],
    [
      'a team with secrets given by ARN and every AWS event wired without filters',
      () =>
        team({
          tokenSecret: TOKEN_ARN,
          inboundSecret: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:relay/inbound-XyZ789',
          s3Buckets: [{ name: 'uploads' }],
          awsEvents: { alarmStateChanges: {}, codebuild: {}, codepipeline: {} },
        }),
    ],
    [
      'a team attaching objects of buckets it does not watch, one prefix with a question mark',
      () => team({ attachments: { s3Buckets: [{ name: 'runbooks', prefix: 'what?/' }, { name: 'dumps' }] } }),
    ],
    [
      'a team with a custom domain and its own DNS',
      () =>
        team({
          region: 'eu-west-1',
          domain: {
            name: 'relay.example.org',
            certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789',
          },
        }),
    ],
  ];

  it.each(teams)('leave no unacknowledged cdk-nag AwsSolutions finding for %s', (_name, teamOf) => {
    // Prepare
    const { app } = relayStack(teamOf());

    // Act
    const report = new AwsSolutionsChecks().validateScope(app);

    // Assess
    expect(report.violations).toEqual([]);
  });

  it.each(teams)('acknowledge only findings that exist, each with a written reason, for %s', (_name, teamOf) => {
    // Prepare: the raw findings, from a copy of the stack built with acknowledgments switched off
    const acknowledge = jest.spyOn(Validations.prototype, 'acknowledge').mockImplementation(() => undefined);
    const raw = new AwsSolutionsChecks().validateScope(relayStack(teamOf()).app).violations;
    acknowledge.mockRestore();
    const { app } = relayStack(teamOf());

    // Act
    const acknowledgments = app.node.findAll().flatMap((construct) =>
      construct.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
        .map(([id, reason]) => ({ path: construct.node.path, id: id.replace(/^annotation::/i, ''), reason })),
    );

    // Assess
    expect(acknowledgments.length).toBeGreaterThan(0);
    for (const { path, id, reason } of acknowledgments) {
      const answered = raw.some(
        (violation) =>
          violation.ruleName === id &&
          violation.violatingResources.some((resource) => resource.constructPath?.startsWith(`${path}/`)),
      );
      expect({ path, id, answered }).toEqual({ path, id, answered: true });
      expect(reason.length).toBeGreaterThan(60);
    }
  });

  it.each<[string, Partial<TeamConfig>]>([
    ['sourceSettings.github.notifyInProgress', { sourceSettings: { github: { notifyInProgress: false } } }],
    ['digestThreshold', { digestThreshold: 0 }],
  ])(
    'checks the config again in the relay construct: %s changed after the file was read stops the synth, naming the file',
    (field, change) => {
      // Prepare: a config the team config schema would have refused, handed to the stack without it
      const valid = team({}, 'payments');
      const unchecked: Team = { ...valid, config: { ...valid.config, ...change } };

      // Act
      const synthesizing = () => relayStack(unchecked);

      // Assess
      expect(synthesizing).toThrow(TeamConfigError);
      expect(synthesizing).toThrow(`teams/payments.json is not a valid team config:\n  ${field}: `);
    },
  );

  it('would report a finding nobody acknowledged (the check is not vacuous)', () => {
    // Prepare
    const { app, stack } = relayStack(team());
    new Queue(stack, 'Careless');

    // Act
    const report = new AwsSolutionsChecks().validateScope(app);

    // Assess
    expect(report.violations.map((violation) => violation.ruleName)).toEqual(
      expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']),
    );
  });

  it('synthesizes two teams side by side in one app, as separate stacks with their own names', () => {
    // Prepare
    const app: App = testApp();

    // Act
    const payments = addRelayStack(app, team({}, 'payments'));
    const search = addRelayStack(app, team({ sources: ['github'] }, 'search'));
    const assembly = app.synth();

    // Assess
    expect(assembly.stacks.map((artifact) => artifact.stackName).sort()).toEqual([
      'SpacesRelay-payments',
      'SpacesRelay-search',
    ]);
    const alarmNames = (stack: RelayStack) =>
      Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm')).map(
        (alarm) => alarm.Properties.AlarmName as string,
      );
    expect(alarmNames(payments)).toHaveLength(8);
    expect(alarmNames(payments).every((name) => name.startsWith('SpacesRelay-payments-'))).toBe(true);
    expect(alarmNames(search).every((name) => name.startsWith('SpacesRelay-search-'))).toBe(true);
    expect(webhookOutputs(Template.fromStack(search))).toEqual(['WebhookUrlAutoDetect', 'WebhookUrlGithub']);
  });
});

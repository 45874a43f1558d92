import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { RelayFunction, type RelayFunctionProps } from '../../../infra/constructs/relay-function';
import { idOf, testApp } from '../support/relay';

const props = (environment: Record<string, string> = {}): RelayFunctionProps => ({
  name: 'ingest',
  description: 'test',
  memorySize: 256,
  timeout: Duration.seconds(10),
  environment,
  serviceName: 'spaces-relay-t',
  metricsNamespace: 'SpacesRelay',
  logLevel: 'WARN',
  logRetention: RetentionDays.TWO_WEEKS,
});

describe('RelayFunction', () => {
  it('sets the Powertools environment next to its own, and logs to its own group with the retention', () => {
    // Prepare
    const stack = new Stack(testApp(), 'Relay');

    // Act
    const fn = new RelayFunction(stack, 'Fn', props({ QUEUE_URL: 'https://queue' }));

    // Assess
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Environment: {
        Variables: {
          POWERTOOLS_SERVICE_NAME: 'spaces-relay-t',
          POWERTOOLS_METRICS_NAMESPACE: 'SpacesRelay',
          POWERTOOLS_LOG_LEVEL: 'WARN',
          QUEUE_URL: 'https://queue',
        },
      },
      LoggingConfig: { LogGroup: { Ref: idOf(fn.logGroup) } },
    });
    template.hasResource('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 14 }, DeletionPolicy: 'Retain' });
  });

  it('starts with a role that may only write to its own log group', () => {
    // Prepare
    const stack = new Stack(testApp(), 'Relay');

    // Act
    const fn = new RelayFunction(stack, 'Fn', props());

    // Assess
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::Role', 1);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }],
      },
    });
    expect(template.toJSON().Resources[idOf(fn.role)].Properties.ManagedPolicyArns).toBeUndefined();
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: { 'Fn::GetAtt': [idOf(fn.logGroup), 'Arn'] },
          },
        ],
      },
    });
  });

  it('fails synth, naming the function, when the environment would exceed what Lambda accepts', () => {
    // Prepare
    const stack = new Stack(testApp(), 'Relay');
    const huge = {
      CHANNELS: JSON.stringify(
        Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`channel-${i}`, 'x'.repeat(24)])),
      ),
    };

    // Act
    const creating = () => new RelayFunction(stack, 'Fn', props(huge));

    // Assess
    expect(creating).toThrow(
      /^Relay\/Fn: the environment would take about \d+ bytes, and Lambda allows 4096; the largest variables: CHANNELS \(\d+ bytes\), POWERTOOLS_\w+ \(\d+ bytes\).*; configure fewer channels/,
    );
  });

  it('checks a variable set after construction as it checks the rest', () => {
    // Prepare
    const stack = new Stack(testApp(), 'Relay');
    const fn = new RelayFunction(stack, 'Fn', props({ CHANNELS: JSON.stringify({ default: 'x'.repeat(24) }) }));

    // Act
    const adding = () => fn.addEnvironment('S3_BUCKETS', JSON.stringify(Array.from({ length: 100 }, (_, i) => ({ name: `bucket-${i}-${'x'.repeat(40)}` }))));

    // Assess
    expect(adding).toThrow(/^Relay\/Fn: the environment would take about \d+ bytes, and Lambda allows 4096; the largest variables: S3_BUCKETS /);
  });

  it('names the largest variables first, a large template among them', () => {
    // Prepare
    const stack = new Stack(testApp(), 'Relay');
    const large = { TEMPLATES: JSON.stringify({ github: { summary: 'x'.repeat(3_000) } }), CHANNELS: JSON.stringify({ default: 'x'.repeat(1_200) }) };

    // Act
    const creating = () => new RelayFunction(stack, 'Fn', props(large));

    // Assess
    expect(creating).toThrow(/the largest variables: TEMPLATES \(3\d{3} bytes\), CHANNELS \(12\d\d bytes\), /);
  });
});

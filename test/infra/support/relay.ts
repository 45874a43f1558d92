/** Team configs and synthesized relay stacks for the infrastructure tests. */
import { join } from 'node:path';
import { App, CfnElement, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { Template } from 'aws-cdk-lib/assertions';
import { RelayStack } from '../../../infra/relay-stack';
import { stackNameFor } from '../../../infra/team-config';
import { parseTeamConfig, readTeam, type Team } from '../../../infra/team-config';

export const TEAMS_DIR = join(__dirname, '..', '..', '..', 'teams');

/** The smallest valid config: the required fields only. */
export const MINIMAL_CONFIG = {
  channels: { default: '5f2276a8fe5c16664f01c5be' },
  tokenSecret: 'relay/spaces-token',
  sources: ['alertmanager', 'grafana'],
};

/** A team from the minimal config plus `overrides`, validated like a file would be. */
export function team(overrides: Record<string, unknown> = {}, name = 'test'): Team {
  const origin = `teams/${name}.json`;
  return { name, origin, config: parseTeamConfig({ ...MINIMAL_CONFIG, ...overrides }, origin) };
}

/** The team of `teams/example.json`. */
export const exampleTeam = (): Team => readTeam(TEAMS_DIR, 'example');

/** An app that does not bundle: the tests look at templates, and esbuild would only cost time. */
export const testApp = (): App => new App({ context: { 'aws:cdk:bundling-stacks': [] } });

/** Adds the relay stack of `of` to `app`. */
export const addRelayStack = (app: App, of: Team): RelayStack =>
  new RelayStack(app, stackNameFor(of.name), { team: of });

/** The relay stack of `of`, alone in a fresh test app, with its template. */
export function relayStack(of: Team): { app: App; stack: RelayStack; template: Template } {
  const app = testApp();
  const stack = addRelayStack(app, of);
  return { app, stack, template: Template.fromStack(stack) };
}

/**
 * Plausible values of the variables CloudFormation fills in at deploy time, as the functions would be handed them:
 * the queue URLs, the table name, the secret ids.
 */
const DEPLOY_TIME_VALUES: Readonly<Record<string, string>> = {
  QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/SpacesRelay-acme-DeliveryQueue0C1A6F2B-x8Jq2VbN1kLm',
  DLQ_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/SpacesRelay-acme-DeliveryDeadLetters5E4B3A2C-p0Qr7StUvW3x',
  IDEMPOTENCY_TABLE: 'SpacesRelay-acme-Idempotency8AB61D9F-1H2J3K4L5M6N',
  WEBHOOK_SECRET_ID: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:WebhookSecret3C2B1A0F-Zx9Yw8-AbC123',
  SPACES_TOKEN_SECRET_ID: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:relay/spaces-token-XyZ789',
};

/**
 * A function's environment as Lambda hands it over: each value CloudFormation fills in at deploy time (a `Ref` or
 * `Fn::GetAtt`) replaced with a plausible one. A variable with no plausible value fails, so that a new one is noticed.
 */
export function deployedEnvironment(template: Template, fn: IConstruct): Record<string, string> {
  const variables: Record<string, unknown> = template.toJSON().Resources[idOf(fn)].Properties.Environment.Variables;
  return Object.fromEntries(
    Object.entries(variables).map(([name, value]) => {
      if (typeof value === 'string') return [name, value];
      const deployed = DEPLOY_TIME_VALUES[name];
      if (deployed === undefined) throw new Error(`${name} is filled in at deploy time, and has no plausible value here`);
      return [name, deployed];
    }),
  );
}

/** The logical id of a construct's CloudFormation resource (its default child, or itself). */
export function idOf(construct: IConstruct): string {
  const resource = construct instanceof CfnElement ? construct : construct.node.defaultChild;
  if (!(resource instanceof CfnElement)) throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return Stack.of(construct).getLogicalId(resource);
}

/** The topic-policy statement that lets this account's CloudWatch alarms named `alarmPattern` publish to `topicRef`. */
export function alarmsMayPublish(topicRef: unknown, alarmPattern: string): Record<string, unknown> {
  return {
    Sid: 'CloudWatchAlarmsPublish',
    Effect: 'Allow',
    Principal: { Service: 'cloudwatch.amazonaws.com' },
    Action: 'sns:Publish',
    Resource: topicRef,
    Condition: {
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      ArnLike: {
        'aws:SourceArn': {
          'Fn::Join': [
            '',
            ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:alarm:${alarmPattern}`],
          ],
        },
      },
    },
  };
}

/**
 * A team's deployed stack as the command line finds it, without AWS: the team's template synthesized (without
 * bundling), its queues, table and secrets created in moto_server by the deployed-shape suite's helper, and a
 * CloudFormation stack of the team's name in moto whose outputs are the template's own where they name what was
 * created (the dead-letter queue, the inbound secret) — and, for what moto cannot run (the HTTP API), the address of a
 * relay the test started. The alarm topic is created by that stack, so that its subscriptions are real.
 */
import { CreateStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { Template } from 'aws-cdk-lib/assertions';
import { stackNameFor } from '../../../infra/team-config';
import { parseTeamConfig } from '../../../infra/team-config';
import type { AwsClients } from '../../../cli/team-stack';
import { createInMoto, type MotoStack } from '../../deployed/support/moto-stack';
import { resolveIntrinsics } from '../../deployed/support/intrinsics';
import { addRelayStack, testApp } from '../../infra/support/relay';
import type { Moto } from '../../support/moto';

/** The team's stack in moto. */
export interface MotoTeamStack {
  readonly aws: MotoStack;
  readonly stackName: string;
  /** The outputs as DescribeStacks gives them. */
  readonly outputs: Readonly<Record<string, string>>;
  /** The value behind the InboundSecretArn output. */
  readonly inboundSecret: string;
}

/** What the test decides: the team, its config as written, where its API answers, and the Spaces credential. */
export interface MotoTeamStackOptions {
  readonly team: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly region: string;
  readonly apiUrl: string;
  readonly spacesToken: string;
  /** The inbound secret's value, when the test's relay already has one; else the generated one stays. */
  readonly inboundSecret?: string;
}

/** Creates the team's stack in `moto`; `clients` are moto clients in the stack's region. */
export async function createTeamStack(moto: Moto, clients: AwsClients, options: MotoTeamStackOptions): Promise<MotoTeamStack> {
  const stackName = stackNameFor(options.team);
  const team = { name: options.team, origin: `teams/${options.team}.json`, config: parseTeamConfig(options.config, 'test') };
  const template = Template.fromStack(addRelayStack(testApp(), team)).toJSON() as {
    Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
    Outputs: Record<string, { Value: unknown }>;
  };
  const aws = await createInMoto(
    { team: options.team, stackName, outdir: '', template, config: options.config },
    moto,
    { region: options.region, spacesToken: options.spacesToken },
  );
  const created = (name: string) => resolveIntrinsics(template.Outputs[name]!.Value, aws.resolution);
  const outputs = await createOutputsStack(clients, stackName, {
    ApiUrl: options.apiUrl,
    InboundSecretArn: created('InboundSecretArn'),
    DeadLetterQueueUrl: created('DeadLetterQueueUrl'),
    DashboardUrl: `https://console.aws.amazon.com/cloudwatch/home?region=${options.region}#dashboards:name=${stackName}-${options.region}`,
  });
  const SecretId = outputs.InboundSecretArn!;
  if (options.inboundSecret !== undefined) {
    await clients.secretsManager.send(new PutSecretValueCommand({ SecretId, SecretString: options.inboundSecret }));
  }
  const inboundSecret = options.inboundSecret ?? aws.secretValues.get(SecretId);
  if (inboundSecret === undefined) throw new Error(`no secret was created for ${SecretId}`);
  return { aws, stackName, outputs, inboundSecret };
}

/**
 * A CloudFormation stack in moto named `stackName` whose outputs are `outputs` and the ARN of an alarm topic it
 * creates (`AlarmTopicArn`); resolves to the outputs as DescribeStacks gives them.
 */
export async function createOutputsStack(
  clients: AwsClients,
  stackName: string,
  outputs: Readonly<Record<string, string>>,
): Promise<Record<string, string>> {
  await clients.cloudFormation.send(
    new CreateStackCommand({
      StackName: stackName,
      TemplateBody: JSON.stringify({
        Resources: { AlarmTopic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: `${stackName}-AlarmTopic` } } },
        Outputs: {
          ...Object.fromEntries(Object.entries(outputs).map(([key, value]) => [key, { Value: value }])),
          AlarmTopicArn: { Value: { Ref: 'AlarmTopic' } },
        },
      }),
    }),
  );
  const described = await clients.cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
  return Object.fromEntries((described.Stacks?.[0]?.Outputs ?? []).map((output) => [output.OutputKey!, output.OutputValue!]));
}

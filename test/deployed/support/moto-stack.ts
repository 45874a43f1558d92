/**
 * A synthesized stack's stateful resources created in moto_server, as CloudFormation would create them from the
 * template: the queues (visibility timeout, retention, redrive policy to the dead-letter queue), the table (key
 * schema, TTL attribute), the generated secrets, and the secrets and buckets the team config names, which exist
 * before a deployment, with the event notifications the stack adds to those buckets. Each is named after its stack
 * and logical id, and what `Ref` and `Fn::GetAtt` give for it is recorded, so the functions' environment can be
 * resolved against them.
 */
import { randomBytes } from 'node:crypto';
import {
  CreateTableCommand,
  DynamoDBClient,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import {
  CreateBucketCommand,
  PutBucketNotificationConfigurationCommand,
  S3Client,
  type BucketLocationConstraint,
  type QueueConfiguration,
} from '@aws-sdk/client-s3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { MOTO_CREDENTIALS, type Moto } from '../../support/moto';
import { requiredProperty, resourcesOfType, type NamedResource } from './cloudformation';
import { resolveIntrinsics, type PseudoParameters, type Resolution, type ResourceValues } from './intrinsics';
import type { SynthesizedStack } from './synth';

/** moto_server's account: every ARN it hands out names it. */
export const MOTO_ACCOUNT = '123456789012';

/** A queue as the functions and the event source see it. */
export interface CreatedQueue {
  readonly logicalId: string;
  readonly url: string;
  readonly arn: string;
}

/** The stack's resources in moto, and how to reach them. */
export interface MotoStack {
  readonly region: string;
  /** What the template's intrinsics resolve to. */
  readonly resolution: Resolution;
  /** Secret values by the id the functions pass (`SecretId`: a name or an ARN). */
  readonly secretValues: ReadonlyMap<string, string>;
  /** Buckets the stack wires S3 notifications for. */
  readonly buckets: readonly string[];
  /** Clients on moto, in the stack's region. */
  readonly sqs: SQSClient;
  readonly s3: S3Client;
  queueByLogicalId(logicalId: string): CreatedQueue;
  dispose(): void;
}

/** What the test decides: the Spaces token the token secret holds. */
export interface MotoStackOptions {
  readonly region: string;
  readonly spacesToken: string;
}

/** CloudFormation names what it creates `<stack>-<logical id>-<random>`; the stack and logical id are enough here. */
const physicalName = (stack: SynthesizedStack, logicalId: string, max: number): string =>
  `${stack.stackName}-${logicalId}`.slice(0, max);

/** A generated secret like the stack's `GenerateSecretString` (letters and digits, 48 characters). */
const generatedSecret = (): string =>
  randomBytes(48).toString('base64').replace(/[^A-Za-z0-9]/g, '').padEnd(48, 'x').slice(0, 48);

/** The SQS attributes a template's `AWS::SQS::Queue` sets that change how the queue behaves. */
const QUEUE_ATTRIBUTES = [
  'VisibilityTimeout',
  'MessageRetentionPeriod',
  'DelaySeconds',
  'ReceiveMessageWaitTimeSeconds',
  'MaximumMessageSize',
];

/** Creates `stack`'s resources in `moto`. */
export async function createInMoto(stack: SynthesizedStack, moto: Moto, options: MotoStackOptions): Promise<MotoStack> {
  const clientConfig = { ...moto.clientConfig, region: options.region, credentials: MOTO_CREDENTIALS };
  const sqs = new SQSClient(clientConfig);
  const dynamoDb = new DynamoDBClient(clientConfig);
  const secrets = new SecretsManagerClient(clientConfig);
  const resources = new Map<string, ResourceValues>();
  const pseudo: PseudoParameters = {
    'AWS::AccountId': MOTO_ACCOUNT,
    'AWS::Region': options.region,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': stack.stackName,
  };
  const resolution: Resolution = { resources, pseudo };
  const secretValues = new Map<string, string>();

  // Dead-letter queues first: a redrive policy names its target's ARN.
  const queues = resourcesOfType(stack.template, 'AWS::SQS::Queue');
  const hasRedrive = (queue: NamedResource) => queue.resource.Properties?.RedrivePolicy !== undefined;
  for (const queue of [...queues.filter((q) => !hasRedrive(q)), ...queues.filter(hasRedrive)]) {
    const properties = queue.resource.Properties ?? {};
    const Attributes: Record<string, string> = {};
    for (const name of QUEUE_ATTRIBUTES) if (properties[name] !== undefined) Attributes[name] = String(properties[name]);
    const redrive = properties.RedrivePolicy as { deadLetterTargetArn: unknown; maxReceiveCount: number } | undefined;
    if (redrive) {
      Attributes.RedrivePolicy = JSON.stringify({
        deadLetterTargetArn: resolveIntrinsics(redrive.deadLetterTargetArn, resolution),
        maxReceiveCount: redrive.maxReceiveCount,
      });
    }
    const QueueName = physicalName(stack, queue.logicalId, 80);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName, Attributes }));
    const { Attributes: created } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    resources.set(queue.logicalId, {
      ref: QueueUrl!,
      attributes: { Arn: created!.QueueArn!, QueueUrl: QueueUrl!, QueueName: created!.QueueArn!.split(':').pop()! },
    });
  }

  for (const table of resourcesOfType(stack.template, 'AWS::DynamoDB::Table')) {
    const TableName = physicalName(stack, table.logicalId, 255);
    const { TableDescription } = await dynamoDb.send(
      new CreateTableCommand({
        TableName,
        KeySchema: requiredProperty<CreateTableCommandInput['KeySchema']>(table, 'KeySchema'),
        AttributeDefinitions: requiredProperty<CreateTableCommandInput['AttributeDefinitions']>(table, 'AttributeDefinitions'),
        BillingMode: requiredProperty<CreateTableCommandInput['BillingMode']>(table, 'BillingMode'),
      }),
    );
    const ttl = table.resource.Properties?.TimeToLiveSpecification as { AttributeName: string; Enabled: boolean } | undefined;
    if (ttl) await dynamoDb.send(new UpdateTimeToLiveCommand({ TableName, TimeToLiveSpecification: ttl }));
    resources.set(table.logicalId, { ref: TableName, attributes: { Arn: TableDescription!.TableArn! } });
  }

  // The secrets the stack generates (Ref gives the ARN), and those the team config names, created before deploying.
  const createSecret = async (Name: string, value: string): Promise<string> => {
    const { ARN } = await secrets.send(new CreateSecretCommand({ Name, SecretString: value }));
    secretValues.set(Name, value);
    secretValues.set(ARN!, value);
    return ARN!;
  };
  for (const secret of resourcesOfType(stack.template, 'AWS::SecretsManager::Secret')) {
    const arn = await createSecret(physicalName(stack, secret.logicalId, 512), generatedSecret());
    resources.set(secret.logicalId, { ref: arn, attributes: { Id: arn } });
  }
  const { tokenSecret, inboundSecret } = stack.config as { tokenSecret: string; inboundSecret?: string };
  for (const named of [tokenSecret, inboundSecret]) {
    // An ARN carries the random suffix of a secret created elsewhere, which no secret created here can have.
    if (named?.startsWith('arn:')) throw new Error(`${stack.team}: a secret given by ARN (${named}) cannot be created in moto`);
  }
  await createSecret(tokenSecret, options.spacesToken);
  if (inboundSecret !== undefined) await createSecret(inboundSecret, generatedSecret());

  // The watched buckets are the team's own, existing ones: the stack only adds a notification to each.
  // Plain request bodies (no aws-chunked trailers), so moto stores exactly the bytes put.
  const s3 = new S3Client({ ...clientConfig, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' });
  const notifications = resourcesOfType(stack.template, 'Custom::S3BucketNotifications');
  const buckets = [...new Set(notifications.map((notification) => requiredProperty<string>(notification, 'BucketName')))];
  for (const Bucket of buckets) {
    await s3.send(
      new CreateBucketCommand({
        Bucket,
        CreateBucketConfiguration:
          options.region === 'us-east-1' ? undefined : { LocationConstraint: options.region as BucketLocationConstraint },
      }),
    );
  }
  // What the stack's notification custom resource writes on creation (the buckets have no notification of their own
  // here): moto then puts S3's events for those keys on the queue, as S3 does.
  for (const notification of notifications) {
    type Configuration = Omit<QueueConfiguration, 'QueueArn'> & { QueueArn: unknown };
    const { QueueConfigurations = [] } = requiredProperty<{ QueueConfigurations?: Configuration[] }>(
      notification,
      'NotificationConfiguration',
    );
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: requiredProperty<string>(notification, 'BucketName'),
        NotificationConfiguration: {
          QueueConfigurations: QueueConfigurations.map((configuration) => ({
            ...configuration,
            QueueArn: resolveIntrinsics(configuration.QueueArn, resolution),
          })),
        },
      }),
    );
  }
  dynamoDb.destroy();
  secrets.destroy();

  return {
    region: options.region,
    resolution,
    secretValues,
    buckets,
    sqs,
    s3,
    queueByLogicalId: (logicalId) => {
      const queue = resources.get(logicalId);
      if (!queue?.attributes?.Arn) throw new Error(`no queue ${logicalId} was created`);
      return { logicalId, url: queue.ref, arn: queue.attributes.Arn };
    },
    dispose: () => {
      sqs.destroy();
      s3.destroy();
    },
  };
}

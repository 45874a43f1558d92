/** What the stack gives deliver, made in moto: its state table, the Spaces token secret, its queues, its environment. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { STATE_TTL_SECONDS } from '../../../infra/limits';
import { createStateTable, type Moto } from '../../support/moto';
import { TEST_TOKEN } from '../../support/spaces-server';

/**
 * Creates deliver's resources in `moto` and sets `process.env` as the stack sets deliver's (the state TTL included,
 * see test/infra/relay-stack.test.ts), with Spaces at `spacesUrl` and `channels`. Answers the queues' URLs.
 */
export async function deliverOnMoto(moto: Moto, spacesUrl: string, channels: Readonly<Record<string, string>>): Promise<{ dlqUrl: string; queueUrl: string }> {
  const sqs = new SQSClient(moto.clientConfig);
  await createStateTable(new DynamoDBClient(moto.clientConfig), 'idempotency');
  await new SecretsManagerClient(moto.clientConfig).send(new CreateSecretCommand({ Name: 'spaces-token', SecretString: TEST_TOKEN }));
  const dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'relay-dlq' }))).QueueUrl!;
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'relay-queue' }))).QueueUrl!;
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    SPACES_API_URL: spacesUrl,
    SPACES_TOKEN_SECRET_ID: 'spaces-token',
    CHANNELS: JSON.stringify(channels),
    IDEMPOTENCY_TABLE: 'idempotency',
    STATE_TTL_SECONDS: String(STATE_TTL_SECONDS),
    DLQ_URL: dlqUrl,
    QUEUE_URL: queueUrl,
  });
  return { dlqUrl, queueUrl };
}

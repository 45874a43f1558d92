/** API Gateway → verify → parse → queue. Wiring only: the logic is `ingestWebhook`. */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { readIngestConfig } from '../runtime/config';
import { ingestWebhook, type IntakeDependencies } from '../ingest/intake';
import { logger } from '../runtime/logger';
import { metrics } from '../runtime/metrics';
import { resolveSourceSettings } from '../sources/settings';
import { sqsEnqueue } from '../ingest/sqs-enqueue';
import { fromApiGateway, toApiGateway } from '../ingest/api-gateway';

const config = readIngestConfig();

const dependencies: IntakeDependencies = {
  // Cached for five minutes across invocations; a rotated secret is picked up within that time.
  webhookSecret: async () => {
    const secret = await getSecret(config.WEBHOOK_SECRET_ID, { maxAge: 300 });
    if (typeof secret !== 'string' || secret === '') throw new Error('the webhook secret is empty or not a string');
    return secret;
  },
  channels: Object.keys(config.CHANNELS),
  enabledSources: config.ENABLED_SOURCES,
  sourceSettings: resolveSourceSettings(config.SOURCE_SETTINGS),
  enqueue: sqsEnqueue(new SQSClient({}), config.QUEUE_URL),
};

export const handler = middy(async (event: APIGatewayProxyEventV2) =>
  toApiGateway(await ingestWebhook(fromApiGateway(event), dependencies)),
)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));

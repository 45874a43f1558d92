/**
 * Ingest's handler, given its dependencies (`dependencies.ts`): API Gateway HTTP API (payload 2.0) event → intake →
 * response. The code Lambda runs, and the code `npm start`'s HTTP server and the tests call.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { logger } from '../runtime/logger';
import { metrics } from '../runtime/metrics';
import { fromApiGateway, toApiGateway } from './api-gateway';
import { ingestWebhook, type IntakeDependencies } from './intake';

export type IngestHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/** The ingest handler over `deps`. */
export function createIngestHandler(deps: IntakeDependencies): IngestHandler {
  const ingest = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> =>
    toApiGateway(await ingestWebhook(fromApiGateway(event), deps));
  return middy(ingest).use(injectLambdaContext(logger)).use(logMetrics(metrics)) as unknown as IngestHandler;
}

/**
 * Deliver's entry point. Wiring only: the logic is `BatchRun` and `deliverNotification`.
 * - An SQS batch (ingest's queue; S3, SNS and EventBridge routed to it): records one at a time, in queue order, with
 *   partial batch failures.
 * - A direct S3 notification (S3 → Lambda, invoked asynchronously): delivered as one record; a failure is thrown, so
 *   Lambda's own retries and failure destination take over.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { Context, S3Event, SQSEvent, SQSRecord } from 'aws-lambda';
import { attachmentOpener, URL_DOWNLOAD_MAX_BYTES, URL_DOWNLOAD_TIMEOUT_MS } from '../attachments';
import { createS3Client } from '../attachments/s3';
import { readDeliverConfig } from '../runtime/config';
import { BatchRun } from '../deliver/batch';
import { sqsDeadLetters } from '../deliver/dead-letter';
import { assembleDelivery } from '../deliver/dependencies';
import { handBack } from '../deliver/hand-back';
import { dynamoDbPersistence } from '../deliver/idempotency';
import { DynamoDbStateStore } from '../deliver/state-store';
import { logger } from '../runtime/logger';
import { count, metrics } from '../runtime/metrics';
import { SpacesClient } from '../spaces/client';
import { secretsManagerCredentials } from '../spaces/credentials';
import { scaleLimits, SPACES_LIMITS, SpacesRateLimiter } from '../spaces/rate-limit';
import { resolveSourceSettings } from '../sources/settings';

const config = readDeliverConfig();
const dynamoDb = new DynamoDBClient({});
const sqs = new SQSClient({});

const dependencies = assembleDelivery({
  sourceSettings: resolveSourceSettings(config.SOURCE_SETTINGS),
  spaces: new SpacesClient({
    baseUrl: config.SPACES_API_URL,
    credentials: secretsManagerCredentials(config.SPACES_TOKEN_SECRET_ID),
    // Each of the at most DELIVER_CONCURRENCY invocations takes its share; 10 % stays free for retries.
    gate: new SpacesRateLimiter({ limits: scaleLimits(SPACES_LIMITS, { share: config.DELIVER_CONCURRENCY, headroom: 0.1 }) }),
    hooks: {
      onRetry: (error, attempt, delayMs) => {
        count('retried');
        logger.warn('retrying Spaces call', { reason: error.message, attempt, delayMs });
      },
    },
  }),
  channels: config.CHANNELS,
  attachmentFailure: config.ATTACHMENT_FAILURE,
  openAttachment: attachmentOpener({
    url: {
      rules: config.ATTACHMENT_URL_HOSTS,
      maxBytes: Math.min(config.ATTACHMENT_MAX_BYTES, URL_DOWNLOAD_MAX_BYTES),
      timeoutMs: URL_DOWNLOAD_TIMEOUT_MS,
    },
    s3: {
      client: createS3Client(config.AWS_ENDPOINT_URL),
      buckets: config.attachableBuckets,
      maxBytes: config.ATTACHMENT_MAX_BYTES,
    },
  }),
  persistence: dynamoDbPersistence(config.IDEMPOTENCY_TABLE, dynamoDb),
  store: new DynamoDbStateStore(config.IDEMPOTENCY_TABLE, dynamoDb),
  deadLetters: sqsDeadLetters(sqs, config.DLQ_URL),
  resolveMode: config.RESOLVE_MODE,
  digestThreshold: config.DIGEST_THRESHOLD,
});

const processor = new BatchProcessor(EventType.SQS);
/** Records are not started with less than this left, so none is cut off halfway by the function timeout. */
const RESERVE_MS = 20_000;

function isSqsBatch(event: SQSEvent | S3Event): event is SQSEvent {
  // S3's test event has no Records at all.
  const records = (event as { Records?: { eventSource?: string }[] }).Records;
  return Array.isArray(records) && records[0]?.eventSource === 'aws:sqs';
}

// One record at a time, in queue order: Spaces limits are per user, and messages for a space keep their order.
export const handler = middy(async (event: SQSEvent | S3Event, context: Context) => {
  const records = isSqsBatch(event)
    ? event.Records.map((record) => ({ id: record.messageId, body: record.body }))
    : [{ id: context.awsRequestId, body: JSON.stringify(event) }];
  const run = await BatchRun.prepare(records, dependencies, {
    remainingMs: () => context.getRemainingTimeInMillis(),
    reserveMs: RESERVE_MS,
  });
  if (!isSqsBatch(event)) {
    // Throws when the event must be tried again; a permanent failure is dead-lettered and counts as handled.
    await run.deliver(context.awsRequestId);
    return undefined;
  }
  const response = await processPartialResponse(event, (record: SQSRecord) => run.deliver(record.messageId), processor, {
    context,
    processInParallel: false,
  });
  await handBack(sqs, event.Records, new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier)));
  return response;
})
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));

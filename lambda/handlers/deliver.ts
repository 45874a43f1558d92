/**
 * Deliver's entry point. Wiring only: the logic is `deliverRecord`.
 * - An SQS batch (ingest's queue; S3, SNS and EventBridge routed to it): records one at a time, partial batch failures.
 * - A direct S3 notification (S3 → Lambda, invoked asynchronously): delivered as one record; a failure is thrown, so
 *   Lambda's own retries and failure destination take over.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, S3Event, SQSEvent, SQSRecord } from 'aws-lambda';
import { attachmentOpener, URL_DOWNLOAD_MAX_BYTES, URL_DOWNLOAD_TIMEOUT_MS } from '../attachments';
import { createS3Client } from '../attachments/s3';
import { readDeliverConfig } from '../config';
import { deliverRecord, type RecordDependencies } from '../deliver-record';
import { logger } from '../logger';
import { SpacesClient } from '../spaces/client';
import { resolveSourceSettings } from '../sources/settings';
import { secretsManagerCredentials } from '../spaces/credentials';

const config = readDeliverConfig();

const dependencies: RecordDependencies = {
  sourceSettings: resolveSourceSettings(config.SOURCE_SETTINGS),
  spaces: new SpacesClient({
    baseUrl: config.SPACES_API_URL,
    credentials: secretsManagerCredentials(config.SPACES_TOKEN_SECRET_ID),
    hooks: { onRetry: (error, attempt, delayMs) => logger.warn('retrying Spaces call', { reason: error.message, attempt, delayMs }) },
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
};

const processor = new BatchProcessor(EventType.SQS);

function isSqsBatch(event: SQSEvent | S3Event): event is SQSEvent {
  // S3's test event has no Records at all.
  const records = (event as { Records?: { eventSource?: string }[] }).Records;
  return Array.isArray(records) && records[0]?.eventSource === 'aws:sqs';
}

// One record at a time: Spaces limits are per user, and messages for a space should arrive in the order queued.
export const handler = middy(async (event: SQSEvent | S3Event, context: Context) => {
  if (isSqsBatch(event)) {
    return processPartialResponse(event, (record: SQSRecord) => deliverRecord(record.body, dependencies), processor, {
      context,
      processInParallel: false,
    });
  }
  await deliverRecord(JSON.stringify(event), dependencies);
  return undefined;
}).use(injectLambdaContext(logger));

/** SQS batch → Spaces, reporting partial batch failures. Wiring only: the logic is `deliverNotification`. */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { attachmentOpener, URL_DOWNLOAD_MAX_BYTES, URL_DOWNLOAD_TIMEOUT_MS } from '../attachments';
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
  openAttachment: attachmentOpener({
    rules: config.ATTACHMENT_URL_HOSTS,
    maxBytes: Math.min(config.ATTACHMENT_MAX_BYTES, URL_DOWNLOAD_MAX_BYTES),
    timeoutMs: URL_DOWNLOAD_TIMEOUT_MS,
  }),
};

const processor = new BatchProcessor(EventType.SQS);

// One record at a time: Spaces limits are per user, and messages for a space should arrive in the order queued.
export const handler = middy((event: SQSEvent, context: Context) =>
  processPartialResponse(event, (record: SQSRecord) => deliverRecord(record.body, dependencies), processor, {
    context,
    processInParallel: false,
  }),
).use(injectLambdaContext(logger));

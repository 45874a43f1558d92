/**
 * Deliver's handler, given its dependencies (`dependencies.ts`): the code Lambda runs, and the code `npm start`'s
 * local queue and the tests call.
 * - An SQS batch (ingest's queue; S3, SNS and EventBridge routed to it): records one at a time, in queue order, with
 *   partial batch failures. A batch where every record fails is reported like any other — every record in
 *   `batchItemFailures` — never thrown, so the failed records are still handed back with the short visibility.
 * - A direct S3 notification (S3 → Lambda, invoked asynchronously): delivered as one record; a failure is thrown, so
 *   Lambda's own retries and failure destination take over.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, S3Event, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger } from '../runtime/logger';
import { metrics } from '../runtime/metrics';
import { redactError } from '../runtime/redact';
import { BatchRun } from './batch';
import type { DeliverDependencies } from './dependencies';
import { handBack } from './hand-back';

/** Records are not started with less than this left, so none is cut off halfway by the function timeout. */
const RESERVE_MS = 20_000;

function isSqsBatch(event: SQSEvent | S3Event): event is SQSEvent {
  // S3's test event has no Records at all.
  const records = (event as { Records?: { eventSource?: string }[] }).Records;
  return Array.isArray(records) && records[0]?.eventSource === 'aws:sqs';
}

export type DeliverHandler = (event: SQSEvent | S3Event, context: Context) => Promise<SQSBatchResponse | undefined>;

/** The deliver handler over `deps`. */
export function createDeliverHandler(deps: DeliverDependencies): DeliverHandler {
  const processor = new BatchProcessor(EventType.SQS);
  // One record at a time, in queue order: Spaces limits are per user, and messages for a space keep their order.
  const deliverEvent = async (event: SQSEvent | S3Event, context: Context): Promise<SQSBatchResponse | undefined> => {
    const options = { remainingMs: () => context.getRemainingTimeInMillis(), reserveMs: RESERVE_MS };
    if (!isSqsBatch(event)) {
      const run = await BatchRun.prepare([{ id: context.awsRequestId, body: JSON.stringify(event) }], deps, options);
      // Throws when the event must be tried again; a permanent failure is dead-lettered and counts as handled.
      await run.deliver(context.awsRequestId);
      return undefined;
    }
    let run: BatchRun;
    try {
      run = await BatchRun.prepare(
        event.Records.map((record) => ({
          id: record.messageId,
          body: record.body,
          receiveCount: Number(record.attributes.ApproximateReceiveCount) || undefined,
        })),
        deps,
        options,
      );
    } catch (error) {
      // Planning needs the state store (which resolves edit a firing message); without it, nothing can be tried now.
      logger.error('batch not planned; every record goes back', { error: error as Error });
      const failures = event.Records.map((record) => ({ itemIdentifier: record.messageId }));
      await handBack(deps.visibility, event.Records, new Set(failures.map((failure) => failure.itemIdentifier)));
      return { batchItemFailures: failures };
    }
    const response = await processPartialResponse(event, (record: SQSRecord) => run.deliver(record.messageId), processor, {
      context,
      processInParallel: false,
      throwOnFullBatchFailure: false,
    });
    await handBack(deps.visibility, event.Records, new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier)));
    return response;
  };
  const deliver = async (event: SQSEvent | S3Event, context: Context): Promise<SQSBatchResponse | undefined> => {
    try {
      return await deliverEvent(event, context);
    } catch (error) {
      // Lambda writes a thrown error to the log and the failure destination as it is, past the logger.
      throw redactError(error);
    }
  };
  return middy(deliver).use(injectLambdaContext(logger)).use(logMetrics(metrics)) as unknown as DeliverHandler;
}

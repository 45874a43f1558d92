/**
 * When records go back to the queue, they would wait out the whole visibility timeout (six times the function
 * timeout, 30 minutes) before SQS offers them again. Deliver shortens it instead, backing off with the number of
 * receives: a Spaces outage is retried within a minute at first, and less eagerly the longer it lasts.
 */
import { ChangeMessageVisibilityBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { logger } from '../runtime/logger';

const BASE_DELAY_SECONDS = 30;
const MAX_DELAY_SECONDS = 15 * 60;
/** SQS takes at most 10 entries per batch call. */
const MAX_ENTRIES = 10;

/** Sets how long received messages stay hidden, by receipt handle: SQS deployed, the local queue in `npm start`. */
export interface QueueVisibility {
  change(receiptHandles: readonly string[], seconds: number): Promise<void>;
}

/**
 * The wait before records are offered again: one delay for all records handed back from a batch, so that records
 * that waited behind a failed one for the same space do not come back before it.
 */
export function handBackDelaySeconds(records: readonly Pick<SQSRecord, 'attributes'>[]): number {
  const receives = Math.max(1, ...records.map((record) => Number(record.attributes.ApproximateReceiveCount) || 1));
  return Math.min(MAX_DELAY_SECONDS, BASE_DELAY_SECONDS * 2 ** (receives - 1));
}

/** The deployed queue (`QUEUE_URL`, set by the stack). */
export function sqsVisibility(sqs: SQSClient, queueUrl: string): QueueVisibility {
  return {
    change: async (receiptHandles, seconds) => {
      for (let start = 0; start < receiptHandles.length; start += MAX_ENTRIES) {
        const Entries = receiptHandles.slice(start, start + MAX_ENTRIES).map((ReceiptHandle, index) => ({
          Id: String(start + index),
          ReceiptHandle,
          VisibilityTimeout: seconds,
        }));
        const result = await sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: queueUrl, Entries }));
        if (result.Failed?.length) logger.warn('visibility not shortened', { failed: result.Failed.length, code: result.Failed[0]?.Code });
      }
    },
  };
}

/**
 * Sets the handed-back records' visibility to the back-off delay. Best effort: if the queue refuses, the records
 * still return after its visibility timeout, so nothing is lost — only later.
 */
export async function handBack(visibility: QueueVisibility, records: readonly SQSRecord[], failedIds: ReadonlySet<string>): Promise<void> {
  const failed = records.filter((record) => failedIds.has(record.messageId));
  if (failed.length === 0) return;
  const delay = handBackDelaySeconds(failed);
  try {
    await visibility.change(
      failed.map((record) => record.receiptHandle),
      delay,
    );
  } catch (error) {
    logger.warn('visibility not shortened', { error: error as Error });
  }
  logger.info('records handed back', { records: failed.length, retryInSeconds: delay });
}

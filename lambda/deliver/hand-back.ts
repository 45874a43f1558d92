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

/**
 * The wait before records are offered again: one delay for all records handed back from a batch, so that records
 * that waited behind a failed one for the same space do not come back before it.
 */
export function handBackDelaySeconds(records: readonly Pick<SQSRecord, 'attributes'>[]): number {
  const receives = Math.max(1, ...records.map((record) => Number(record.attributes.ApproximateReceiveCount) || 1));
  return Math.min(MAX_DELAY_SECONDS, BASE_DELAY_SECONDS * 2 ** (receives - 1));
}

/** `arn:aws:sqs:<region>:<account>:<name>` → the queue URL. */
export function queueUrlOf(arn: string): string {
  const [, partition, , region, account, name] = arn.split(':');
  const domain = partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://sqs.${region}.${domain}/${account}/${name}`;
}

/**
 * Sets the handed-back records' visibility to the back-off delay. Best effort: if SQS refuses, the records still
 * return after the queue's visibility timeout, so nothing is lost — only later.
 */
export async function handBack(sqs: SQSClient, records: readonly SQSRecord[], failedIds: ReadonlySet<string>): Promise<void> {
  const failed = records.filter((record) => failedIds.has(record.messageId));
  if (failed.length === 0) return;
  const delay = handBackDelaySeconds(failed);
  const byQueue = new Map<string, SQSRecord[]>();
  for (const record of failed) {
    const url = queueUrlOf(record.eventSourceARN);
    byQueue.set(url, [...(byQueue.get(url) ?? []), record]);
  }
  for (const [QueueUrl, queued] of byQueue) {
    for (let start = 0; start < queued.length; start += MAX_ENTRIES) {
      const Entries = queued.slice(start, start + MAX_ENTRIES).map((record, index) => ({
        Id: String(start + index),
        ReceiptHandle: record.receiptHandle,
        VisibilityTimeout: delay,
      }));
      try {
        const result = await sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl, Entries }));
        if (result.Failed?.length) logger.warn('visibility not shortened', { failed: result.Failed.length, code: result.Failed[0]?.Code });
      } catch (error) {
        logger.warn('visibility not shortened', { error: error as Error });
      }
    }
  }
  logger.info('records handed back', { records: failed.length, retryInSeconds: delay });
}

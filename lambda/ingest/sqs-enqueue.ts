import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { QueuedNotification } from '../model/notification';

/** SQS takes at most 10 entries and 256 KiB per batch. */
const MAX_BATCH_ENTRIES = 10;
const MAX_BATCH_BYTES = 250_000;

/** Queues notifications on SQS in as few batches as the limits allow; any entry SQS refuses fails the whole call. */
export function sqsEnqueue(client: SQSClient, queueUrl: string) {
  return async (notifications: readonly QueuedNotification[]): Promise<void> => {
    const bodies = notifications.map((n) => JSON.stringify(n));
    const batches: string[][] = [];
    let size = Number.POSITIVE_INFINITY;
    for (const body of bodies) {
      const last = batches[batches.length - 1];
      const bytes = Buffer.byteLength(body);
      if (!last || last.length === MAX_BATCH_ENTRIES || size + bytes > MAX_BATCH_BYTES) {
        batches.push([body]);
        size = bytes;
      } else {
        last.push(body);
        size += bytes;
      }
    }
    for (const batch of batches) {
      const result = await client.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: batch.map((MessageBody, index) => ({ Id: String(index), MessageBody })),
        }),
      );
      if (result.Failed && result.Failed.length > 0) {
        const first = result.Failed[0]!;
        throw new Error(`SQS refused ${result.Failed.length} message(s): ${first.Code ?? ''} ${first.Message ?? ''}`.trim());
      }
    }
  };
}

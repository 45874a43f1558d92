import { ChangeMessageVisibilityBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handBack, handBackDelaySeconds, sqsVisibility } from '../../lambda/deliver/hand-back';

const sqs = mockClient(SQSClient);
const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/SpacesRelay-payments-Queue';

const record = (id: string, receives: number): SQSRecord =>
  ({
    messageId: id,
    receiptHandle: `handle-${id}`,
    body: '{}',
    attributes: { ApproximateReceiveCount: String(receives) },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:SpacesRelay-payments-Queue',
    awsRegion: 'eu-west-1',
  }) as unknown as SQSRecord;

beforeEach(() => sqs.reset());

describe('handBackDelaySeconds', () => {
  it('backs off with the receive count, capped at 15 minutes', () => {
    expect(handBackDelaySeconds([record('a', 1)])).toBe(30);
    expect(handBackDelaySeconds([record('a', 3)])).toBe(120);
    expect(handBackDelaySeconds([record('a', 9)])).toBe(900);
  });

  it('gives a batch one delay, the longest, so records that waited behind a failure do not overtake it', () => {
    expect(handBackDelaySeconds([record('a', 1), record('b', 2)])).toBe(60);
  });
});

describe('handBack on SQS', () => {
  it('shortens the visibility of the failed records only, ten per call, on the queue the stack named', async () => {
    // Prepare
    sqs.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [], Failed: [] });
    const records = Array.from({ length: 13 }, (_, i) => record(`m${i}`, 2));

    // Act
    await handBack(sqsVisibility(new SQSClient({ region: 'eu-west-1' }), QUEUE_URL), records, new Set(records.slice(1).map((r) => r.messageId)));

    // Assess
    const calls = sqs.commandCalls(ChangeMessageVisibilityBatchCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.Entries!.length)).toEqual([10, 2]);
    expect(calls.map((c) => c.QueueUrl)).toEqual([QUEUE_URL, QUEUE_URL]);
    expect(calls.flatMap((c) => c.Entries!.map((e) => e.ReceiptHandle))).not.toContain('handle-m0');
    expect(new Set(calls.flatMap((c) => c.Entries!.map((e) => e.VisibilityTimeout)))).toEqual(new Set([60]));
  });

  it('does nothing when nothing failed, and survives SQS refusing (the queue timeout still returns the records)', async () => {
    // Prepare
    sqs.on(ChangeMessageVisibilityBatchCommand).rejects(new Error('throttled'));
    const visibility = sqsVisibility(new SQSClient({ region: 'eu-west-1' }), QUEUE_URL);

    // Act
    await handBack(visibility, [record('a', 1)], new Set());
    const refused = handBack(visibility, [record('a', 1)], new Set(['a']));

    // Assess
    await expect(refused).resolves.toBeUndefined();
    expect(sqs.commandCalls(ChangeMessageVisibilityBatchCommand)).toHaveLength(1);
  });
});

/** The local queue keeps the deployed queue's rules: what a test sees here is what SQS and its event source would do. */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { MemoryQueue } from '../../lambda/local/memory-queue';

/** A consumer that records every event it gets and answers with `respond`. */
function consumer(respond: (event: SQSEvent, call: number) => SQSBatchResponse | Promise<SQSBatchResponse>) {
  const events: SQSEvent[] = [];
  return {
    events,
    handle: async (event: SQSEvent) => {
      events.push(event);
      return respond(event, events.length);
    },
  };
}

const ALL_OK = (): SQSBatchResponse => ({ batchItemFailures: [] });

describe('MemoryQueue', () => {
  let queue: MemoryQueue | undefined;
  afterEach(async () => queue?.stop());

  it('hands records over as the SQS event source does, and deletes what the handler does not list as failed', async () => {
    // Prepare
    queue = new MemoryQueue({ msPerSecond: 1 });
    const deliver = consumer(ALL_OK);

    // Act
    queue.send(['first', 'second']);
    queue.attach(deliver.handle);
    await queue.idle();

    // Assess
    const [record] = deliver.events[0]!.Records;
    expect(deliver.events).toHaveLength(1);
    expect(deliver.events[0]!.Records.map((r) => r.body)).toEqual(['first', 'second']);
    expect(record).toMatchObject({
      messageId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      receiptHandle: expect.any(String),
      eventSource: 'aws:sqs',
      eventSourceARN: expect.stringMatching(/^arn:aws:sqs:/),
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: expect.stringMatching(/^\d+$/) },
    });
    expect(queue.depth).toBe(0);
  });

  it('keeps a failed record hidden for the visibility timeout, unless deliver shortens it', async () => {
    // Prepare: a queue second lasts 1 ms; the default visibility is 1,800 s (1.8 s here).
    queue = new MemoryQueue({ msPerSecond: 1 });
    const timings: number[] = [];
    const deliver = consumer(async (event, call) => {
      timings.push(Date.now());
      const failed = { batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) };
      if (call === 1) return failed;
      if (call === 2) {
        await queue!.change([event.Records[0]!.receiptHandle], 30);
        return failed;
      }
      return ALL_OK();
    });

    // Act
    queue.attach(deliver.handle);
    queue.send(['flaky']);
    await queue.idle();

    // Assess: back after the full 1.8 s the first time, after the 30 ms deliver asked for the second time.
    expect(deliver.events.map((e) => e.Records[0]!.attributes.ApproximateReceiveCount)).toEqual(['1', '2', '3']);
    expect(timings[1]! - timings[0]!).toBeGreaterThanOrEqual(1_790);
    expect(timings[2]! - timings[1]!).toBeLessThan(1_000);
  });

  it('moves a record past its receives to the dead letters, as the redrive policy does, without asking deliver again', async () => {
    // Prepare
    queue = new MemoryQueue({ msPerSecond: 1, maxReceives: 3, visibilityTimeoutSeconds: 5 });
    const deliver = consumer((event) => ({ batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) }));

    // Act
    queue.attach(deliver.handle);
    queue.send(['doomed']);
    await queue.idle();

    // Assess
    expect(deliver.events).toHaveLength(3);
    expect(queue.deadLetters).toEqual([{ body: 'doomed', reason: 'received 3 times without being delivered', receives: 3 }]);
  });

  it('returns every record of an invocation that throws, after the visibility timeout', async () => {
    // Prepare
    queue = new MemoryQueue({ msPerSecond: 1, visibilityTimeoutSeconds: 20 });
    const deliver = consumer((_event, call) => {
      if (call === 1) throw new Error('init failed');
      return ALL_OK();
    });

    // Act
    queue.attach(deliver.handle);
    queue.send(['a', 'b']);
    await queue.idle();

    // Assess
    expect(deliver.events.map((e) => e.Records.map((r) => `${r.body}:${r.attributes.ApproximateReceiveCount}`))).toEqual([
      ['a:1', 'b:1'],
      ['a:2', 'b:2'],
    ]);
  });

  it('gathers records for the batching window, up to the batch size', async () => {
    // Prepare: a window of 50 ms, batches of 3.
    queue = new MemoryQueue({ msPerSecond: 1, batchWindowSeconds: 50, batchSize: 3 });
    const deliver = consumer(ALL_OK);
    queue.attach(deliver.handle);

    // Act: one now, four more within the window.
    queue.send(['1']);
    await new Promise((resolve) => setTimeout(resolve, 10));
    queue.send(['2', '3', '4', '5']);
    await queue.idle();

    // Assess
    expect(deliver.events.map((e) => e.Records.map((r) => r.body))).toEqual([
      ['1', '2', '3'],
      ['4', '5'],
    ]);
  });

  it('ends the batching window as soon as a whole batch waits', async () => {
    // Prepare: a window of a minute, batches of 3.
    queue = new MemoryQueue({ batchWindowSeconds: 60, batchSize: 3 });
    const deliver = consumer(ALL_OK);
    queue.attach(deliver.handle);
    const started = Date.now();

    // Act
    queue.send(['1']);
    queue.send(['2', '3']);
    await new Promise((resolve) => setTimeout(resolve, 20));

    // Assess
    expect(deliver.events.map((e) => e.Records.map((r) => r.body))).toEqual([['1', '2', '3']]);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('ends the batching window as soon as records handed back at different moments make a whole batch again', async () => {
    // Prepare: a window of a minute, batches of 3; the first invocation hands one record back for 30 ms, two for 40 ms.
    queue = new MemoryQueue({ msPerSecond: 1, batchWindowSeconds: 60_000, batchSize: 3 });
    const deliver = consumer(async (event, call) => {
      if (call > 1) return ALL_OK();
      const [first, ...rest] = event.Records;
      await queue!.change([first!.receiptHandle], 30);
      await queue!.change(rest.map((r) => r.receiptHandle), 40);
      return { batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) };
    });
    queue.attach(deliver.handle);
    const started = Date.now();

    // Act
    queue.send(['1', '2', '3']);
    await queue.idle();

    // Assess: received again together, once the last of them showed, not a minute later.
    expect(deliver.events.map((e) => e.Records.map((r) => `${r.body}:${r.attributes.ApproximateReceiveCount}`))).toEqual([
      ['1:1', '2:1', '3:1'],
      ['1:2', '2:2', '3:2'],
    ]);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('tells a watcher what became of its records: handled, handed back, or dead-lettered by deliver with a reason', async () => {
    // Prepare
    queue = new MemoryQueue({ msPerSecond: 1 });
    const q = queue;
    queue.attach(async (event) => {
      const failures = [];
      for (const record of event.Records) {
        if (record.body === 'bad') await q.deadLetterQueue.send(record.body, 'nothing recognises it');
        if (record.body === 'later') failures.push({ itemIdentifier: record.messageId });
      }
      await q.change(event.Records.map((r) => r.receiptHandle), 0);
      return { batchItemFailures: failures };
    });

    // Act
    const outcomes = await queue.sendAndWatch(['good', 'bad', 'later']);

    // Assess
    expect(outcomes.map(({ outcome, ...rest }) => ({ outcome, reason: 'reason' in rest ? rest.reason : undefined }))).toEqual([
      { outcome: 'handled', reason: undefined },
      { outcome: 'dead-lettered', reason: 'nothing recognises it' },
      { outcome: 'handed-back', reason: undefined },
    ]);
  });

  it('puts dead letters back on the queue with redrive', async () => {
    // Prepare
    queue = new MemoryQueue({ msPerSecond: 1 });
    const delivered: string[] = [];
    let broken = true;
    const q = queue;
    queue.attach(async (event) => {
      for (const record of event.Records) {
        if (broken) await q.deadLetterQueue.send(record.body, 'space not reachable');
        else delivered.push(record.body);
      }
      return ALL_OK();
    });
    queue.send(['x']);
    await queue.idle();

    // Act
    broken = false;
    const redriven = queue.redrive();
    await queue.idle();

    // Assess
    expect(redriven).toBe(1);
    expect(delivered).toEqual(['x']);
    expect(queue.deadLetters).toEqual([]);
  });
});

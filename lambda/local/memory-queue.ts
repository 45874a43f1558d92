/**
 * The local stand-in for the delivery queue and its Lambda event source, with the deployed queue's rules: records are
 * handed to the deliver handler as SQS batches; a received record stays hidden for the visibility timeout (unless
 * deliver changes it, as it does for what it hands back); what the handler does not list in `batchItemFailures` is
 * deleted; a record received more often than the redrive policy allows is moved to the dead letters; deliver's own
 * dead letters (permanent failures) are kept with their reason. Nothing is dropped silently; dead letters can be put
 * back with `redrive` once their cause is fixed.
 */
import { randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { DELIVER_BATCH_SIZE, DELIVER_BATCHING_WINDOW_SECONDS, DELIVER_MAX_RECEIVES, QUEUE_VISIBILITY_SECONDS } from '../../infra/limits';
import type { DeadLetters } from '../deliver/dead-letter';
import type { QueueVisibility } from '../deliver/hand-back';
import { logger } from '../runtime/logger';
import { count } from '../runtime/metrics';
import { sqsRecord } from './lambda-shapes';

export interface MemoryQueueOptions {
  /** The redrive policy's maxReceiveCount. */
  readonly maxReceives?: number;
  /** Records handed over at once (the event source's batch size): a storm is folded within one batch. */
  readonly batchSize?: number;
  /**
   * How long the event source gathers records before invoking with fewer than a batch: a storm arrives over seconds,
   * and only what one batch holds is folded into digests and kept in order.
   */
  readonly batchWindowSeconds?: number;
  /** How long a received record stays hidden unless deliver changes it. */
  readonly visibilityTimeoutSeconds?: number;
  /**
   * How long a queue second lasts, in real milliseconds: 1000 for `npm start`; tests shrink it so that a 30-second
   * hand-back takes 30 ms.
   */
  readonly msPerSecond?: number;
}

/** Where the local queue delivers: the deliver handler, with an SQS event. */
export type BatchConsumer = (event: SQSEvent) => Promise<SQSBatchResponse | undefined | void>;

export interface DeadLetter {
  readonly body: string;
  readonly reason: string;
  /** For records whose receives ran out; deliver's own dead letters (permanent failures) have none. */
  readonly receives?: number;
}

/** What became of a record after the invocation that received it. */
export type RecordOutcome =
  | { readonly outcome: 'handled' }
  | { readonly outcome: 'dead-lettered'; readonly reason: string }
  | { readonly outcome: 'handed-back' };

interface Message {
  readonly messageId: string;
  readonly body: string;
  readonly sentAt: number;
  receiveCount: number;
  firstReceivedAt: number;
  visibleAt: number;
  receiptHandle?: string;
  /** Set when deliver dead-letters this record itself during the invocation. */
  deadLetterReason?: string;
}

export class MemoryQueue implements QueueVisibility {
  readonly deadLetters: DeadLetter[] = [];
  /** Deliver's permanent failures (its `DeadLetters`): kept at once, with the reason. */
  readonly deadLetterQueue: DeadLetters = { send: async (body, reason) => this.keepDeadLetter(body, reason) };
  /** Receives in all, and those that were receives again after a hand-back: the fault benchmark reports them. */
  readonly stats = { receives: 0, retries: 0 };
  private readonly messages = new Map<string, Message>();
  private readonly watchers = new Map<string, (outcome: RecordOutcome) => void>();
  private readonly idleWaiters: (() => void)[] = [];
  private consumer: BatchConsumer | undefined;
  private draining: Promise<void> | undefined;
  /** Ends the batching window early, once a whole batch is waiting. */
  private batchFull: (() => void) | undefined;
  /** A record arrived while a drain was ending: drain once more, or it would wait for the next timer. */
  private pumpAgain = false;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Message[] = [];

  constructor(private readonly options: MemoryQueueOptions = {}) {}

  /** Starts handing batches to `consumer` (the deliver handler). */
  attach(consumer: BatchConsumer): void {
    this.consumer = consumer;
    this.pump();
  }

  /** Queues record bodies (ingest's SendMessageBatch); returns their message ids. */
  send(bodies: readonly string[]): string[] {
    const ids = bodies.map((body) => {
      const message: Message = { messageId: randomUUID(), body, sentAt: Date.now(), receiveCount: 0, firstReceivedAt: 0, visibleAt: 0 };
      this.messages.set(message.messageId, message);
      return message.messageId;
    });
    if (this.batchFull && this.visibleCount() >= this.batchSize()) this.batchFull();
    this.pump();
    return ids;
  }

  /** Queues record bodies and waits for each one's first invocation to end (`POST /events`). */
  async sendAndWatch(bodies: readonly string[]): Promise<(RecordOutcome & { id: string })[]> {
    const ids = this.send(bodies);
    return Promise.all(ids.map((id) => new Promise<RecordOutcome>((resolve) => this.watchers.set(id, resolve)).then((outcome) => ({ id, ...outcome }))));
  }

  /** `ChangeMessageVisibility` for received records, by receipt handle (deliver's hand-back). */
  async change(receiptHandles: readonly string[], seconds: number): Promise<void> {
    const handles = new Set(receiptHandles);
    // One instant for the whole call: records handed back together show again together, as one batch.
    const visibleAt = Date.now() + this.ms(seconds);
    for (const message of this.messages.values()) {
      if (message.receiptHandle && handles.has(message.receiptHandle)) message.visibleAt = visibleAt;
    }
  }

  private keepDeadLetter(body: string, reason: string): void {
    this.deadLetters.push({ body, reason });
    const record = this.inFlight.find((message) => message.body === body && message.deadLetterReason === undefined);
    if (record) record.deadLetterReason = reason;
  }

  /** Puts every dead letter back on the queue (after the cause is fixed); returns how many. */
  redrive(): number {
    const letters = this.deadLetters.splice(0);
    this.send(letters.map((letter) => letter.body));
    logger.info('dead letters redriven', { count: letters.length });
    return letters.length;
  }

  /** Resolves once every record sent so far has been deleted or dead-lettered. */
  idle(): Promise<void> {
    if (this.messages.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Records waiting or in flight. */
  get depth(): number {
    return this.messages.size;
  }

  /** Stops receiving once the invocation under way (if any) ends; records still queued stay where they are. */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.consumer = undefined;
    this.batchFull?.();
    await this.draining;
  }

  private ms(seconds: number): number {
    return seconds * (this.options.msPerSecond ?? 1000);
  }

  private pump(): void {
    if (!this.consumer) return;
    if (this.draining) {
      this.pumpAgain = true;
      return;
    }
    this.pumpAgain = false;
    this.draining = this.drain()
      .catch((error: Error) => logger.error('local queue stopped', { error }))
      .finally(() => {
        this.draining = undefined;
        if (this.pumpAgain) this.pump();
      });
  }

  private async drain(): Promise<void> {
    clearTimeout(this.timer);
    while (this.consumer) {
      if (this.visibleCount() > 0 && this.visibleCount() < this.batchSize()) await this.gather();
      if (!this.consumer) return;
      const batch = this.receive();
      if (batch.length > 0) {
        await this.invoke(batch);
        continue;
      }
      if (this.messages.size === 0) {
        this.idleWaiters.splice(0).forEach((resolve) => resolve());
        return;
      }
      // Everything left is hidden: come back when the first of it shows again.
      const next = this.nextShowing() ?? Date.now();
      this.timer = setTimeout(() => this.pump(), Math.max(1, next - Date.now()));
      return;
    }
  }

  /**
   * The batching window: over when it has elapsed, or as soon as a whole batch is waiting, as with the event source —
   * whether the batch filled with new records or with hidden ones showing again.
   */
  private async gather(): Promise<void> {
    const windowEnd = Date.now() + this.ms(this.options.batchWindowSeconds ?? DELIVER_BATCHING_WINDOW_SECONDS);
    while (this.consumer && Date.now() < windowEnd && this.visibleCount() < this.batchSize()) {
      const wakeAt = Math.min(windowEnd, this.nextShowing() ?? windowEnd);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.max(1, wakeAt - Date.now()));
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.batchFull = done;
      });
      this.batchFull = undefined;
    }
  }

  /** When the first hidden record shows again, if any is hidden. */
  private nextShowing(): number | undefined {
    const now = Date.now();
    const hidden = [...this.messages.values()].map((message) => message.visibleAt).filter((at) => at > now);
    return hidden.length > 0 ? Math.min(...hidden) : undefined;
  }

  private batchSize(): number {
    return this.options.batchSize ?? DELIVER_BATCH_SIZE;
  }

  private visibleCount(): number {
    const now = Date.now();
    let visible = 0;
    for (const message of this.messages.values()) if (message.visibleAt <= now) visible += 1;
    return visible;
  }

  /** Takes up to a batch of visible records, as a receive does; a record past its receives goes to the dead letters. */
  private receive(): Message[] {
    const now = Date.now();
    const maxReceives = this.options.maxReceives ?? DELIVER_MAX_RECEIVES;
    const batch: Message[] = [];
    for (const message of this.messages.values()) {
      if (batch.length >= this.batchSize()) break;
      if (message.visibleAt > now) continue;
      if (message.receiveCount >= maxReceives) {
        // SQS moves a message on the receive after its last allowed one, and keeps no reason: deliver logged each.
        const reason = `received ${message.receiveCount} times without being delivered`;
        this.messages.delete(message.messageId);
        this.deadLetters.push({ body: message.body, reason, receives: message.receiveCount });
        count('deadLettered', 1, 'receives-exhausted');
        logger.error('dead-lettered', { reason, receives: message.receiveCount });
        this.settle(message, { outcome: 'dead-lettered', reason });
        continue;
      }
      if (message.receiveCount > 0) this.stats.retries += 1;
      message.receiveCount += 1;
      message.firstReceivedAt ||= now;
      message.receiptHandle = randomUUID();
      message.visibleAt = now + this.ms(this.options.visibilityTimeoutSeconds ?? QUEUE_VISIBILITY_SECONDS);
      batch.push(message);
    }
    this.stats.receives += batch.length;
    return batch;
  }

  /** One invocation: what the handler does not report as failed is deleted; a thrown invocation deletes nothing. */
  private async invoke(batch: Message[]): Promise<void> {
    this.inFlight = batch;
    const event: SQSEvent = {
      Records: batch.map((message) =>
        sqsRecord({ ...message, receiptHandle: message.receiptHandle!, firstReceivedAt: message.firstReceivedAt }),
      ),
    };
    let failed: Set<string>;
    try {
      const response = await this.consumer!(event);
      failed = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
    } catch (error) {
      logger.error('deliver invocation failed; its records return after the visibility timeout', { error: error as Error });
      failed = new Set(batch.map((message) => message.messageId));
    } finally {
      this.inFlight = [];
    }
    for (const message of batch) {
      if (failed.has(message.messageId)) {
        this.settle(message, { outcome: 'handed-back' });
        continue;
      }
      this.messages.delete(message.messageId);
      this.settle(
        message,
        message.deadLetterReason === undefined ? { outcome: 'handled' } : { outcome: 'dead-lettered', reason: message.deadLetterReason },
      );
    }
  }

  private settle(message: Message, outcome: RecordOutcome): void {
    this.watchers.get(message.messageId)?.(outcome);
    this.watchers.delete(message.messageId);
  }
}

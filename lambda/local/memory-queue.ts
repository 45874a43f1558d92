/**
 * The local stand-in for SQS: record bodies in, handed over in batches (like the event source), a failed record
 * tried again after a pause and ahead of later ones, and a record that fails `maxReceives` times kept as a dead
 * letter with its reason, as are those deliver dead-letters itself. Nothing is dropped silently; dead letters can be
 * put back with `redrive` once their cause is fixed.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { QueueRecord, RecordFailure } from '../deliver/batch';
import { logger } from '../runtime/logger';
import { count } from '../runtime/metrics';

export interface MemoryQueueOptions {
  /** Delivers a batch in order; returns the records to hand back. */
  readonly handle: (records: readonly QueueRecord[]) => Promise<readonly RecordFailure[]>;
  /** Like the redrive policy's maxReceiveCount. */
  readonly maxReceives?: number;
  /** Records handed over at once (the event source's batch size): a storm is folded within one batch. */
  readonly batchSize?: number;
  /** Pause before the next receive of a failed record (the visibility timeout, shortened for local use). */
  readonly retryDelayMs?: (receive: number) => number;
}

export interface DeadLetter {
  readonly body: string;
  readonly reason: string;
  /** For records whose receives ran out; deliver's own dead letters (permanent failures) have none. */
  readonly receives?: number;
}

interface Pending {
  readonly id: string;
  readonly body: string;
  receives: number;
}

export class MemoryQueue {
  readonly deadLetters: DeadLetter[] = [];
  /** Receives in all, and those that were retries: the fault benchmark reports them. */
  readonly stats = { receives: 0, retries: 0 };
  private readonly pending: Pending[] = [];
  private draining: Promise<void> | undefined;
  private nextId = 1;

  constructor(private readonly options: MemoryQueueOptions) {}

  send(bodies: readonly string[]): void {
    for (const body of bodies) this.pending.push({ id: String(this.nextId++), body, receives: 0 });
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
    });
  }

  /** Deliver's permanent failures (its `DeadLetters`): kept at once, with the reason. */
  async deadLetter(body: string, reason: string): Promise<void> {
    this.deadLetters.push({ body, reason });
  }

  /** Puts every dead letter back on the queue (after the cause is fixed); returns how many. */
  redrive(): number {
    const letters = this.deadLetters.splice(0);
    this.send(letters.map((letter) => letter.body));
    logger.info('dead letters redriven', { count: letters.length });
    return letters.length;
  }

  /** Resolves once every record sent so far has been delivered or dead-lettered. */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  get depth(): number {
    return this.pending.length;
  }

  private async drain(): Promise<void> {
    const maxReceives = this.options.maxReceives ?? 3;
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.options.batchSize ?? 100);
      for (const record of batch) record.receives += 1;
      this.stats.receives += batch.length;
      const failures = new Map((await this.options.handle(batch)).map((failure) => [failure.id, failure]));
      const back: Pending[] = [];
      for (const record of batch) {
        const failure = failures.get(record.id);
        if (!failure) continue;
        // A record that was not even tried has not used up a receive.
        if (failure.deferred) record.receives -= 1;
        if (record.receives >= maxReceives) {
          this.deadLetters.push({ body: record.body, reason: failure.reason, receives: record.receives });
          count('deadLettered', 1, 'receives-exhausted');
          logger.error('dead-lettered', { reason: failure.reason, receives: record.receives });
        } else {
          if (!failure.deferred) this.stats.retries += 1;
          back.push(record);
        }
      }
      if (back.length > 0) {
        await sleep(this.options.retryDelayMs?.(Math.max(...back.map((r) => r.receives))) ?? 1000);
        this.pending.unshift(...back);
      }
    }
  }
}

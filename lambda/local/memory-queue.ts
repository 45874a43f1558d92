/**
 * The local stand-in for SQS: record bodies in, handled one at a time, a failed record tried again after a pause,
 * and a record that fails `maxReceives` times kept as a dead letter with its reason (nothing is dropped silently).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { logger } from '../logger';

export interface MemoryQueueOptions {
  readonly handle: (body: string) => Promise<void>;
  /** Like the redrive policy's maxReceiveCount. */
  readonly maxReceives?: number;
  /** Pause before the next receive of a failed record (the visibility timeout, shortened for local use). */
  readonly retryDelayMs?: (receive: number) => number;
}

export interface DeadLetter {
  readonly body: string;
  readonly reason: string;
  readonly receives: number;
}

export class MemoryQueue {
  readonly deadLetters: DeadLetter[] = [];
  private readonly pending: { body: string; receives: number }[] = [];
  private draining: Promise<void> | undefined;

  constructor(private readonly options: MemoryQueueOptions) {}

  send(bodies: readonly string[]): void {
    for (const body of bodies) this.pending.push({ body, receives: 0 });
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
    });
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
    for (let record = this.pending.shift(); record; record = this.pending.shift()) {
      record.receives += 1;
      try {
        await this.options.handle(record.body);
      } catch (error) {
        const reason = (error as Error).message;
        if (record.receives >= maxReceives) {
          this.deadLetters.push({ body: record.body, reason, receives: record.receives });
          logger.error('dead-lettered', { reason, receives: record.receives });
        } else {
          await sleep(this.options.retryDelayMs?.(record.receives) ?? 1000 * record.receives);
          this.pending.unshift(record);
        }
      }
    }
  }
}

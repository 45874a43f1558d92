/** Assembles deliver's dependencies from the parts that differ between Lambda and local mode. */
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { RecordDependencies } from './deliver-once';
import type { DeadLetters } from './dead-letter';
import { DeliveryIdempotency } from './idempotency';
import { DeliveryJournal } from './journal';
import { ResolveTracker } from './resolve-tracker';
import type { StateStore } from './state-store';

/** What differs between Lambda (DynamoDB, SQS) and local mode (memory, the local queue). */
export interface DeliveryParts
  extends Omit<RecordDependencies, 'idempotency' | 'journal' | 'tracker' | 'deadLetters'> {
  /** Where idempotency records live (DynamoDB deployed, memory locally). */
  readonly persistence: BasePersistenceLayer;
  /** Where progress and firing-message ids live (the same table deployed, memory locally). */
  readonly store: StateStore;
  readonly deadLetters: DeadLetters;
}

/** Deliver's dependencies: the idempotency records, journal and resolve tracker built on the given stores. */
export function assembleDelivery({ persistence, store, ...rest }: DeliveryParts): RecordDependencies {
  return {
    ...rest,
    idempotency: new DeliveryIdempotency(persistence),
    journal: new DeliveryJournal(store),
    tracker: new ResolveTracker(store),
  };
}

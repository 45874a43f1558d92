/**
 * One batch of queue records (an SQS event), delivered record by record in
 * queue order: storms folded into digests, each notification delivered once, permanent failures dead-lettered with
 * their reason, transient ones retried in place for a few seconds (see `retry-in-place.ts`) and then handed back to
 * the queue. Once a notification for a space has to wait in the queue, the later ones for that space in the batch
 * wait too, so a retry never lets a later message overtake an earlier one; once the Spaces credential failed, the
 * whole rest of the batch waits.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { mapLimit } from '../runtime/concurrency';
import { deliverNotification, spaceOf } from './deliver-notification';
import { deliverOnce, InProgressElsewhereError, LOCAL_LEASE_MS, type RecordDependencies } from './deliver-once';
import { logger } from '../runtime/logger';
import { count } from '../runtime/metrics';
import type { QueuedNotification } from '../model/notification';
import { notificationsFromRecord } from './queue-records';
import { renderMessage } from '../render/body-text';
import { CredentialError } from '../spaces/errors';
import { failureKind, isPermanent } from './dead-letter';
import { digestMessage, isFoldable, packDigests, stormRuns, type DigestPlace } from './digest';
import { onceKey } from './idempotency';
import { isPosted } from './journal';
import { DEFAULT_SETTLE_MS, postPart, settlePending, type ProgressByKey } from './post-once';
import { trackingRole } from './resolve-tracker';
import { IN_PLACE_RETRY, inPlacePause } from './retry-in-place';

/** A queue record: its id (SQS `messageId`), body, and how often the queue has handed it out (with this time). */
export interface QueueRecord {
  readonly id: string;
  readonly body: string;
  readonly receiveCount?: number;
}

export type RecordOutcome =
  | { readonly status: 'delivered'; readonly notifications: number }
  | { readonly status: 'dead-lettered'; readonly reason: string };

/** The record goes back to the queue: it failed for a reason that may pass, or it was not tried (see `deliver`). */
export class RetryLaterError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RetryLaterError';
  }
}

export interface BatchOptions {
  /** The invocation's remaining time (Lambda); claims are leased for it. */
  readonly remainingMs?: () => number;
  /** A record is not started with less time than this left: it is handed back instead of being cut off. */
  readonly reserveMs?: number;
}

interface Planned {
  readonly notification: QueuedNotification;
  readonly spaceId: string;
  digest?: Digest;
}

interface Entry {
  readonly record: QueueRecord;
  readonly planned: Planned[];
  readonly undeliverable?: string;
}

type MemberOutcome = 'posted' | 'deduplicated' | 'busy';

/** Idempotency and journal calls in flight at once for the members of a digest (each a DynamoDB call deployed). */
const STATE_CONCURRENCY = 10;

/** A digest (or one part of one): its members are claimed together, posted as one message, and completed together. */
class Digest {
  private outcomes?: Promise<Map<string, MemberOutcome>>;

  /** Once posted (or being posted), its members are past any reason to wait. */
  get started(): boolean {
    return this.outcomes !== undefined;
  }

  constructor(
    private readonly members: readonly Planned[],
    private readonly place: DigestPlace,
    private readonly deps: RecordDependencies,
    private readonly leaseMs: () => number,
  ) {}

  /**
   * Delivers the whole digest on the first member's turn; later members learn how it went. A failed attempt is
   * forgotten, so that trying again (in place) posts again, and later members wait rather than take it as started.
   */
  async deliver(member: Planned): Promise<void> {
    const attempt = (this.outcomes ??= this.post());
    let outcomes: Map<string, MemberOutcome>;
    try {
      outcomes = await attempt;
    } catch (error) {
      if (this.outcomes === attempt) this.outcomes = undefined;
      throw error;
    }
    if (outcomes.get(onceKey(member.notification)) === 'busy') throw new InProgressElsewhereError(onceKey(member.notification));
  }

  private async post(): Promise<Map<string, MemberOutcome>> {
    const { deps } = this;
    const spaceId = this.members[0]!.spaceId;
    const outcomes = new Map<string, MemberOutcome>();
    // Claimed by this attempt and not yet completed: what a failure releases, so that the next attempt may claim it.
    const held = new Set<string>();
    try {
      // The members' records are independent of each other: read and written a few at a time, not one after another.
      const claims = await mapLimit(this.members, STATE_CONCURRENCY, async (member) => {
        const key = onceKey(member.notification);
        const claim = await deps.idempotency.claim(key, this.leaseMs(), member.notification.receivedAt);
        if (claim.state === 'claimed') held.add(key);
        return claim;
      });
      const claimed: Planned[] = [];
      claims.forEach((claim, index) => {
        const key = onceKey(this.members[index]!.notification);
        if (claim.state === 'claimed') claimed.push(this.members[index]!);
        else outcomes.set(key, claim.state === 'done' ? 'deduplicated' : 'busy');
        if (claim.state === 'done') count('deduplicated');
      });
      const journals = await mapLimit(claimed, STATE_CONCURRENCY, (member) => deps.journal.read(onceKey(member.notification)));
      const progress: ProgressByKey = new Map(claimed.map((member, index) => [onceKey(member.notification), journals[index]!]));
      // A member an earlier attempt posted (in another digest, or alone) must not show up twice.
      await settlePending(spaceId, progress, 0, deps);
      const posted = new Map<string, string[]>();
      for (const [key, entry] of progress) {
        const part = entry.parts[0];
        if (isPosted(part)) posted.set(key, [part.messageId]);
      }
      const rest = claimed.filter((m) => !posted.has(onceKey(m.notification)));
      // One left of a digest of its own is posted as it is; a part of a longer digest stays one, as numbered.
      if (rest.length === 1 && this.place.parts === 1) {
        const result = await deliverNotification(rest[0]!.notification, deps);
        posted.set(onceKey(rest[0]!.notification), result.messageIds);
      } else if (rest.length > 0) {
        const bodyText = renderMessage(digestMessage(rest.map((m) => m.notification.message), this.place))[0]!;
        const restProgress: ProgressByKey = new Map(rest.map((m) => [onceKey(m.notification), progress.get(onceKey(m.notification))!]));
        const messageId = await postPart(spaceId, { bodyText }, restProgress, 0, deps);
        for (const m of rest) posted.set(onceKey(m.notification), [messageId]);
        count('digested', rest.length);
        logger.info('digest posted', { spaceId, messageId, members: rest.length });
      }
      const receivedAt = new Map(claimed.map((m) => [onceKey(m.notification), m.notification.receivedAt]));
      await mapLimit([...posted], STATE_CONCURRENCY, async ([key, messageIds]) => {
        await deps.idempotency.complete(key, { spaceId, messageIds, receivedAt: receivedAt.get(key) });
        held.delete(key);
        await deps.journal.forget(key);
        outcomes.set(key, 'posted');
        count('delivered');
      });
      return outcomes;
    } catch (error) {
      await Promise.all([...held].map((key) => deps.idempotency.release(key).catch(() => undefined)));
      throw error;
    }
  }
}

/** A batch, planned: records decoded, storms folded. Call `deliver` for each record, in queue order. */
export class BatchRun {
  private readonly blocked = new Set<string>();
  /** Set once the Spaces credential failed in this batch. */
  private credentialOutage?: CredentialError;

  private constructor(
    private readonly entries: ReadonlyMap<string, Entry>,
    private readonly deps: RecordDependencies,
    private readonly options: BatchOptions,
  ) {}

  /** Decodes the records (an unreadable one is marked for the dead letters) and folds storms into digests. */
  static async prepare(records: readonly QueueRecord[], deps: RecordDependencies, options: BatchOptions = {}): Promise<BatchRun> {
    const entries = new Map<string, Entry>();
    for (const record of records) {
      try {
        const planned = notificationsFromRecord(record.body, deps.sourceSettings, new Date(), deps).map((notification) => ({
          notification,
          spaceId: spaceOf(notification, deps.channels),
        }));
        entries.set(record.id, { record, planned });
      } catch (error) {
        if (!isPermanent(error)) throw error;
        entries.set(record.id, { record, planned: [], undeliverable: (error as Error).message });
      }
    }
    const run = new BatchRun(entries, deps, options);
    await run.foldStorms();
    return run;
  }

  /** Delivers one record; throws `RetryLaterError` when it must go back to the queue. */
  async deliver(recordId: string): Promise<RecordOutcome> {
    const entry = this.entries.get(recordId);
    if (!entry) throw new Error(`record ${recordId} is not in this batch`);
    if (entry.undeliverable) return this.deadLetter(entry, entry.undeliverable, 'undeliverable');
    for (const planned of entry.planned) {
      if (this.credentialOutage) {
        return this.retryLater(entry, `not tried: ${this.credentialOutage.message}`, this.credentialOutage);
      }
      if (this.blocked.has(planned.spaceId) && !planned.digest?.started) {
        return this.retryLater(entry, 'an earlier message for the same space has to be retried first');
      }
      const stopped = await this.deliverPlanned(entry, planned);
      if (stopped) return stopped;
    }
    if (entry.planned.length === 0) count('acknowledged');
    return { status: 'delivered', notifications: entry.planned.length };
  }

  /**
   * Delivers one notification of the record, trying again in place while the failure may pass and time allows; when
   * the record cannot go on, what became of it (dead-lettered, or handed back by throwing `RetryLaterError`).
   */
  private async deliverPlanned(entry: Entry, planned: Planned): Promise<RecordOutcome | undefined> {
    for (let round = 1; ; round += 1) {
      if (this.timeLeftMs() < 0) return this.retryLater(entry, 'not enough time left in this invocation');
      try {
        await (planned.digest ? planned.digest.deliver(planned) : deliverOnce(planned.notification, this.deps, this.remainingMs()));
        return undefined;
      } catch (error) {
        if (error instanceof CredentialError) return this.credentialFailed(entry, error);
        if (isPermanent(error)) return this.deadLetter(entry, (error as Error).message, failureKind(error));
        const log = { recordId: entry.record.id, deliveryKey: planned.notification.deliveryKey, reason: (error as Error).message };
        const pauseMs = inPlacePause(error, round, this.deps.retryInPlace ?? IN_PLACE_RETRY, {
          timeLeftMs: this.timeLeftMs(),
          settleMs: this.deps.settleMs ?? DEFAULT_SETTLE_MS,
        });
        if (pauseMs === undefined) {
          this.blocked.add(planned.spaceId);
          count('retried', 1, 'queue');
          logger.warn('delivery will be retried', log);
          return this.retryLater(entry, (error as Error).message, error);
        }
        count('retried', 1, 'in-place');
        logger.warn('delivery will be retried in place', { ...log, round, pauseMs });
        await sleep(pauseMs);
      }
    }
  }

  /**
   * The credential is shared by every record: once it failed, the rest of the batch is not tried (each would only
   * fail the same way, and renew in vain), and all of it goes back to the queue to wait for the credential.
   */
  private credentialFailed(entry: Entry, error: CredentialError): Promise<RecordOutcome> {
    this.credentialOutage = error;
    count('credentialFailures', 1, error.failure);
    count('retried', 1, 'queue');
    logger.error('Spaces credential failed; the batch goes back to the queue', { recordId: entry.record.id, failure: error.failure, reason: error.message });
    return this.retryLater(entry, error.message, error);
  }

  /**
   * Hands the record back — unless this was its last receive: SQS would then move it to the dead letters without a
   * word, so deliver puts it there itself, with the reason.
   */
  private async retryLater(entry: Entry, reason: string, cause?: unknown): Promise<RecordOutcome> {
    const { receiveCount } = entry.record;
    const { maxReceives } = this.deps;
    if (receiveCount !== undefined && maxReceives !== undefined && receiveCount >= maxReceives) {
      return this.deadLetter(entry, `${reason} (gave up after ${receiveCount} receives)`, 'receives-exhausted');
    }
    throw new RetryLaterError(reason, { cause });
  }

  private remainingMs(): number {
    return this.options.remainingMs?.() ?? LOCAL_LEASE_MS;
  }

  /** Time this invocation can still give a record: what remains, less the reserve (negative: none). */
  private timeLeftMs(): number {
    return this.remainingMs() - (this.options.reserveMs ?? 0);
  }

  private async deadLetter(entry: Entry, reason: string, kind: string): Promise<RecordOutcome> {
    try {
      await this.deps.deadLetters.send(entry.record.body, reason);
    } catch (error) {
      // Not dead-lettered means not handled: back to the queue rather than lost.
      throw new RetryLaterError(`could not dead-letter: ${(error as Error).message}`, { cause: error });
    }
    count('deadLettered', 1, kind);
    logger.error('dead-lettered', { recordId: entry.record.id, reason });
    return { status: 'dead-lettered', reason };
  }

  /** Folds the runs of a storm into digests (see `digest.ts`); a notification seen twice in the batch is never folded. */
  private async foldStorms(): Promise<void> {
    const all = [...this.entries.values()].flatMap((e) => e.planned);
    const seen = new Set<string>();
    const foldable = all.map((p) => {
      const first = !seen.has(onceKey(p.notification));
      seen.add(onceKey(p.notification));
      // A message that calls on someone is posted on its own, in full: a page must not be one line of a digest.
      const mentions = this.deps.mentions?.(p.notification.message).length ?? 0;
      return first && mentions === 0 && isFoldable(p.notification.message);
    });
    const threshold = this.deps.digestThreshold;
    // Only in a storm is it worth asking which resolves must edit a firing message (those are never folded).
    const stormy = new Set(stormRuns(all.map((p, i) => ({ spaceId: p.spaceId, foldable: foldable[i]! })), threshold).flat());
    if (stormy.size === 0) return;
    await mapLimit([...stormy], 8, async (index) => {
      const { message } = all[index]!.notification;
      if (trackingRole(message) !== 'resolved' || this.deps.resolveMode === 'post') return;
      const tracked = await this.deps.tracker.lookup(message.groupKey!);
      if (tracked?.spaceId === all[index]!.spaceId) foldable[index] = false;
    });
    for (const run of stormRuns(all.map((p, i) => ({ spaceId: p.spaceId, foldable: foldable[i]! })), threshold)) {
      for (const { members, place } of packDigests(run.map((i) => all[i]!), (p) => p.notification.message)) {
        if (members.length < 2 && place.parts === 1) continue;
        const digest = new Digest(members, place, this.deps, () => this.remainingMs());
        for (const member of members) member.digest = digest;
      }
    }
  }
}

/**
 * Retrying in place: a notification whose delivery failed for a reason that passes in seconds is tried again within
 * the same invocation, after a pause, before its record goes back to the queue.
 *
 * Why: the Spaces client already retries each call a few times within seconds, so what reaches the batch is a run of
 * transient failures (five 5xx in a row happen at a 30 % fault rate), a post whose answer was lost three times, or a
 * wait the rate limits impose (the limiter's next free slot, a server's `Retry-After`) longer than the client sits
 * out. Handed back, such a record waited at least 30 s in the queue — and every record behind it for the same space
 * with it, members of a digest included — and spent one of its ten receives: a burst whose posts outran the minute's
 * budget went round the queue until records reached the dead letters. Retried in place, they wait only as long as
 * the cause. A failure that outlasts the rounds (an outage) still goes back to the queue, with the growing hand-back
 * delay of `hand-back.ts`.
 *
 * Exactly once still holds: a round is a new attempt like a redelivery — the claim is taken again, the journal read,
 * an unanswered post looked for (no sooner than the settle pause after it) before anything is posted.
 */
import { SpacesError } from '../spaces/errors';

export interface InPlaceRetry {
  /** Rounds in all, the first included; 1 turns retrying in place off. */
  readonly rounds: number;
  /** The pause before the second round; it doubles for each later one. */
  readonly pauseMs: number;
}

/** Three rounds, 2 s and 4 s apart: with the client's own retries, about 15 s of a failing Spaces before a hand-back. */
export const IN_PLACE_RETRY: InPlaceRetry = { rounds: 3, pauseMs: 2_000 };

/**
 * The pause before round `round + 1` of a notification that failed with `error`, or `undefined` when its record
 * should go back to the queue instead: the failure is not a Spaces one that may pass (another invocation holding
 * the notification, a file that could not be read), the rounds are spent, or the pause would not leave `timeLeftMs`.
 * A wait the server or the limiter asked for is waited out in full; after an unanswered post, at least `settleMs`.
 */
export function inPlacePause(
  error: unknown,
  round: number,
  policy: InPlaceRetry,
  timing: { readonly timeLeftMs: number; readonly settleMs: number },
): number | undefined {
  if (!(error instanceof SpacesError) || !error.retryable || round >= policy.rounds) return undefined;
  const backoff = policy.pauseMs * 2 ** (round - 1);
  const pauseMs = Math.max(backoff, error.retryAfterMs ?? 0, error.ambiguous ? timing.settleMs : 0);
  return pauseMs <= timing.timeLeftMs ? pauseMs : undefined;
}

/**
 * Keeps the calls of one process within the documented Spaces limits (per user: 60 requests a minute per endpoint,
 * 30 `getuploadurl` a minute, 600 requests in 5 minutes overall).
 *
 * Why in-process and not a shared DynamoDB bucket: deliver runs with a bounded number of concurrent invocations (the
 * SQS event source's maximum concurrency, `DELIVER_CONCURRENCY`), so each instance takes an equal share of every
 * limit and the shares add up to the limit. A shared bucket would cost a conditional write per Spaces call, make one
 * hot key, and still not see other users of the same token (another team's stack, a person's script); those are
 * covered by the second line of defence, which is needed anyway: a 429 pauses that endpoint here for the
 * `Retry-After` the server gave, and the call is retried after it.
 *
 * The windows slide, like the tightest server would: a burst never exceeds a limit within any window, whereas a
 * token bucket refilling at the average rate lets through up to twice the limit across a window boundary.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { SpacesError, type SpacesOperation } from './errors';

/** At most `limit` calls within any `windowMs`. */
export interface WindowLimit {
  readonly limit: number;
  readonly windowMs: number;
}

/** The per-user limits Spaces documents. */
export interface SpacesLimits {
  /** Each endpoint (chat posts, edits, message queries). */
  readonly perEndpoint: WindowLimit;
  readonly getUploadUrl: WindowLimit;
  /** All calls together. */
  readonly overall: WindowLimit;
}

export const SPACES_LIMITS: SpacesLimits = {
  perEndpoint: { limit: 60, windowMs: 60_000 },
  getUploadUrl: { limit: 30, windowMs: 60_000 },
  overall: { limit: 600, windowMs: 300_000 },
};

/**
 * Limits for one of `share` equal users of a token, with `headroom` kept free for retries and clock skew, and the
 * windows multiplied by `timeScale` (tests run minutes in milliseconds).
 */
export function scaleLimits(limits: SpacesLimits, options: { share?: number; headroom?: number; timeScale?: number } = {}): SpacesLimits {
  const share = options.share ?? 1;
  const keep = 1 - (options.headroom ?? 0);
  const scale = (w: WindowLimit): WindowLimit => ({
    limit: Math.max(1, Math.floor((w.limit * keep) / share)),
    windowMs: Math.max(1, Math.round(w.windowMs * (options.timeScale ?? 1))),
  });
  return { perEndpoint: scale(limits.perEndpoint), getUploadUrl: scale(limits.getUploadUrl), overall: scale(limits.overall) };
}

/** The calls a limiter gates; uploads go to the storage host, which the Spaces limits do not cover. */
export type LimitedOperation = Exclude<SpacesOperation, 'upload'>;

/** What the client asks before each call and tells after a 429. */
export interface CallGate {
  /** Resolves when the call may go out; throws a retryable `SpacesError` if that would take longer than allowed. */
  acquire(operation: LimitedOperation): Promise<void>;
  /** The server said 429: hold this endpoint back for `retryAfterMs`. */
  throttled(operation: LimitedOperation, retryAfterMs: number | undefined): void;
}

/** The times of recent (and already reserved) calls within one window, oldest first. */
class SlidingWindow {
  private readonly times: number[] = [];
  pausedUntil = 0;

  constructor(private readonly window: WindowLimit) {}

  /** The earliest time at or after `t` when one more call stays within the limit. */
  earliest(t: number): number {
    const { limit, windowMs } = this.window;
    const last = this.times[this.times.length - 1] ?? 0;
    const blocking = this.times.length >= limit ? this.times[this.times.length - limit]! + windowMs : 0;
    return Math.max(t, last, blocking, this.pausedUntil);
  }

  record(t: number): void {
    this.times.push(t);
    // Only the last `limit` calls can ever block the next one.
    if (this.times.length > this.window.limit) this.times.splice(0, this.times.length - this.window.limit);
  }
}

export interface RateLimiterOptions {
  readonly limits?: SpacesLimits;
  /**
   * A wait longer than this is not sat out here: the call fails (retryable, with the wait as `retryAfterMs`), and
   * deliver waits it out before trying the notification again if its invocation has the time, else hands it back to
   * the queue (see `deliver/retry-in-place.ts`). Half the per-endpoint window (30 s) by default.
   */
  readonly maxWaitMs?: number;
  /** The pause after a 429 that came without `Retry-After`. */
  readonly defaultPauseMs?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<unknown>;
}

/** In-process sliding-window limiter over the Spaces endpoints, shared by every call of one client. */
export class SpacesRateLimiter implements CallGate {
  private readonly overall: SlidingWindow;
  private readonly endpoints = new Map<LimitedOperation, SlidingWindow>();
  private readonly limits: SpacesLimits;
  private readonly now: () => number;

  constructor(private readonly options: RateLimiterOptions = {}) {
    this.limits = options.limits ?? SPACES_LIMITS;
    this.overall = new SlidingWindow(this.limits.overall);
    this.now = options.now ?? Date.now;
  }

  async acquire(operation: LimitedOperation): Promise<void> {
    const windows = [this.endpoint(operation), this.overall];
    const now = this.now();
    let at = now;
    // Each window's earliest time only grows with `at`, so this settles within a few rounds.
    for (let next = Math.max(...windows.map((w) => w.earliest(at))); next !== at; next = Math.max(...windows.map((w) => w.earliest(at)))) {
      at = next;
    }
    const waitMs = at - now;
    if (waitMs > (this.options.maxWaitMs ?? this.limits.perEndpoint.windowMs / 2)) {
      throw new SpacesError(operation, `rate limit: the next free slot is ${waitMs} ms away`, { retryable: true, retryAfterMs: waitMs });
    }
    // Reserved before sleeping, so concurrent callers queue up behind each other instead of all waking at once.
    for (const window of windows) window.record(at);
    if (waitMs > 0) await (this.options.sleep ?? sleep)(waitMs);
  }

  throttled(operation: LimitedOperation, retryAfterMs: number | undefined): void {
    const window = this.endpoint(operation);
    window.pausedUntil = Math.max(window.pausedUntil, this.now() + (retryAfterMs ?? this.options.defaultPauseMs ?? 5_000));
  }

  private endpoint(operation: LimitedOperation): SlidingWindow {
    let window = this.endpoints.get(operation);
    if (!window) {
      window = new SlidingWindow(operation === 'getuploadurl' ? this.limits.getUploadUrl : this.limits.perEndpoint);
      this.endpoints.set(operation, window);
    }
    return window;
  }
}

/**
 * Retries with exponential backoff and full jitter, honouring `Retry-After`. Hand-written because it is small and
 * the libraries that do backoff (p-retry and kin) neither read `Retry-After` nor know which of our errors may be retried.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { SpacesError } from './errors';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** A `Retry-After` longer than this is not waited out here: the error goes up and the queue retries later. */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  attempts: 5,
  baseDelayMs: 250,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 30_000,
};

/**
 * `Retry-After` as milliseconds: either delta-seconds or an HTTP date. Fractional seconds are accepted too (some
 * servers send them, and the stand-in does when its windows are scaled down for tests).
 */
export function parseRetryAfter(header: string | undefined, now: number = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** How long to wait before attempt `attempt + 1` (attempt counts from 1). */
export function retryDelay(error: SpacesError, attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jitter = Math.floor(random() * backoff);
  // With Retry-After, wait at least that long; the jitter keeps concurrent callers from returning all at once.
  return error.retryAfterMs !== undefined ? error.retryAfterMs + Math.floor(random() * policy.baseDelayMs) : jitter;
}

export interface RetryHooks {
  readonly onRetry?: (error: SpacesError, attempt: number, delayMs: number) => void;
  readonly sleep?: (ms: number) => Promise<unknown>;
}

/** Runs `operation` until it succeeds, fails for good, or the policy's attempts are spent. */
export async function withRetry<T>(
  operation: (attempt: number) => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  hooks: RetryHooks = {},
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (!(error instanceof SpacesError) || !error.retryable || error.ambiguous || attempt >= policy.attempts) throw error;
      if (error.retryAfterMs !== undefined && error.retryAfterMs > policy.maxRetryAfterMs) throw error;
      const delay = retryDelay(error, attempt, policy);
      hooks.onRetry?.(error, attempt, delay);
      await (hooks.sleep ?? sleep)(delay);
    }
  }
}

import { SpacesError } from '../../lambda/spaces/errors';
import { parseRetryAfter, retryDelay, withRetry, DEFAULT_RETRY_POLICY } from '../../lambda/spaces/retry';

const retryable = (retryAfterMs?: number) => new SpacesError('post', 'HTTP 503', { status: 503, retryable: true, retryAfterMs });

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe('retryDelay', () => {
  it('grows exponentially with full jitter, capped', () => {
    const top = (attempt: number) => retryDelay(retryable(), attempt, DEFAULT_RETRY_POLICY, () => 0.999999);
    const bottom = retryDelay(retryable(), 3, DEFAULT_RETRY_POLICY, () => 0);

    expect(top(1)).toBe(249);
    expect(top(2)).toBe(499);
    expect(top(10)).toBe(DEFAULT_RETRY_POLICY.maxDelayMs - 1);
    expect(bottom).toBe(0);
  });

  it('waits at least the Retry-After', () => {
    expect(retryDelay(retryable(5000), 1, DEFAULT_RETRY_POLICY, () => 0)).toBe(5000);
    expect(retryDelay(retryable(5000), 1, DEFAULT_RETRY_POLICY, () => 0.5)).toBeGreaterThan(5000);
  });
});

describe('withRetry', () => {
  const policy = { attempts: 3, baseDelayMs: 10, maxDelayMs: 100, maxRetryAfterMs: 1000 };

  it('stops after the policy’s attempts and rethrows the last error', async () => {
    let calls = 0;
    const sleeps: number[] = [];

    const run = withRetry(async () => {
      calls += 1;
      throw retryable();
    }, policy, { sleep: async (ms) => void sleeps.push(ms) });

    await expect(run).rejects.toBeInstanceOf(SpacesError);
    expect(calls).toBe(3);
    expect(sleeps).toHaveLength(2);
  });

  it('does not retry what is not retryable', async () => {
    let calls = 0;
    const run = withRetry(async () => {
      calls += 1;
      throw new SpacesError('post', 'HTTP 400', { status: 400, retryable: false });
    }, policy, { sleep: async () => undefined });

    await expect(run).rejects.toMatchObject({ status: 400 });
    expect(calls).toBe(1);
  });

  it('reports each retry', async () => {
    const seen: number[] = [];
    let calls = 0;

    const result = await withRetry(async () => {
      calls += 1;
      if (calls < 3) throw retryable();
      return 'ok';
    }, policy, { sleep: async () => undefined, onRetry: (_, attempt) => seen.push(attempt) });

    expect(result).toBe('ok');
    expect(seen).toEqual([1, 2]);
  });
});

/**
 * Proof under faults: 1,000 webhooks through the real ingest → local queue → deliver code into the stand-in, with
 * 30 % of the Spaces calls failing and the rate limits enforced (a minute lasts 300 ms here).
 */
import { runFaultScenario } from '../support/fault-scenario';

const SCENARIO = { messages: 1_000, faultRate: 0.3, forbiddenEvery: 50, timeScale: 0.005 } as const;

describe('delivery under faults', () => {
  it('posts every message exactly once, one post each, and dead-letters only the permanent failures', async () => {
    // Prepare: nothing is folded, so every message is a post of its own and meets the faults.
    const options = { ...SCENARIO, digestThreshold: Number.MAX_SAFE_INTEGER };

    // Act
    const result = await runFaultScenario(options);

    // Assess
    expect(result.accepted).toBe(1_000);
    expect(result.lost).toEqual([]);
    expect(result.duplicated).toEqual([]);
    expect(result.deliveredOnce).toBe(1_000 - result.forbidden);
    expect(result.deadLettered).toBe(result.forbidden);
    expect(result.unexpectedDeadLetters).toEqual([]);
    // The faults really happened, including posts that were stored but went unanswered.
    expect(result.injected.storedThenDropped + result.injected.storedAfterTimeout).toBeGreaterThan(50);
    expect(result.injected.throttled).toBeGreaterThan(20);
    expect(result.rateLimited).toBe(0);
  }, 120_000);

  it('folds a storm into digests and still delivers each message exactly once', async () => {
    // Prepare
    const options = { ...SCENARIO, digestThreshold: 20 };

    // Act
    const result = await runFaultScenario(options);

    // Assess
    expect(result.lost).toEqual([]);
    expect(result.duplicated).toEqual([]);
    expect(result.deliveredOnce).toBe(1_000 - result.forbidden);
    expect(result.unexpectedDeadLetters).toEqual([]);
    expect(result.deadLettered).toBe(result.forbidden);
    expect(result.posts).toBeLessThan(60);
  }, 60_000);
});

/**
 * Proof under faults: 1,000 webhooks through the real ingest → local queue → deliver code into the stand-in, with
 * 30 % of the Spaces calls failing and the rate limits enforced (a minute lasts 300 ms here). And speed under the
 * same faults: 200 notifications readable within a minute, in real time on the deployed clocks.
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

  it('makes 200 notifications readable within a minute, each once, on the deployed clocks', async () => {
    // Prepare: in real time, the documented limits and the deployed retry policy, timeouts, settle pause, queue rules
    // and batching window; 30 % of the calls fail as above, the 429s asking for a second and the slow answers
    // outlasting the client's 10 s timeout. A seed with each kind of fault.
    const options = { messages: 200, faultRate: 0.3, forbiddenEvery: Number.MAX_SAFE_INTEGER, digestThreshold: 20 };

    // Act
    const result = await runFaultScenario({ ...options, timeScale: 1, clocks: 'deployed', seed: 6 });

    // Assess
    expect(result.lost).toEqual([]);
    expect(result.duplicated).toEqual([]);
    expect(result.deadLettered).toBe(0);
    expect(result.rateLimited).toBe(0);
    expect(result.injected.storedAfterTimeout).toBeGreaterThan(0);
    expect(result.injected.error500 + result.injected.throttled + result.injected.storedThenDropped).toBeGreaterThan(0);
    expect(result.readableMs).toBeLessThan(60_000);
  }, 120_000);
});

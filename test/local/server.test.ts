/** The local dead-letter routes: see what failed and why, then replay it once the cause is fixed. */
import type { LocalRelay } from '../../lambda/local/server';
import { sendHook, startTestRelay } from '../support/relay';

describe('local dead letters', () => {
  let relay: LocalRelay | undefined;
  afterEach(async () => relay?.close());

  it('lists dead letters with their reasons and redrives them after the cause is fixed', async () => {
    // Prepare: Spaces refuses every post until "fixed".
    let fixed = false;
    relay = await startTestRelay({ standInFault: (op) => (op === 'post' && !fixed ? { status: 403 } : undefined) });
    await sendHook(relay, '/hooks/generic', { text: 'first' });
    await sendHook(relay, '/hooks/generic', { text: 'second' });
    await relay.queue.idle();
    const listed = (await (await fetch(`${relay.url}/dead-letters`)).json()) as { deadLetters: { reason: string }[] };

    // Act
    fixed = true;
    const redrive = await fetch(`${relay.url}/dead-letters/redrive`, { method: 'POST' });
    const answer = (await redrive.json()) as { redriven: number };
    await relay.queue.idle();
    const health = (await (await fetch(`${relay.url}/healthz`)).json()) as { deadLetters: number; counts: Record<string, number> };

    // Assess
    expect(listed.deadLetters.map((d) => d.reason)).toEqual(['Spaces post failed: HTTP 403 — injected 403', 'Spaces post failed: HTTP 403 — injected 403']);
    expect(answer).toEqual({ redriven: 2 });
    expect(relay.standIn!.messages.map((m) => /first|second/.exec(m.bodyText)?.[0])).toEqual(['first', 'second']);
    expect(health.deadLetters).toBe(0);
    expect(health.counts.delivered).toBeGreaterThanOrEqual(2);
  });

  it('dead-letters a record whose transient failures outlast its receives, with the last reason', async () => {
    // Prepare
    relay = await startTestRelay({ queue: { maxReceives: 3, retryDelayMs: () => 1 }, standInFault: (op) => (op === 'post' ? { status: 503 } : undefined) });

    // Act
    await sendHook(relay, '/hooks/generic', { text: 'never gets through' });
    await relay.queue.idle();

    // Assess
    expect(relay.queue.deadLetters).toEqual([expect.objectContaining({ receives: 3, reason: 'Spaces post failed: HTTP 503 — injected 503' })]);
    expect(relay.standIn!.calls.filter((c) => c.operation === 'post')).toHaveLength(3);
  });
});

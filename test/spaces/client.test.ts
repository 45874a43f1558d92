/** The client's side of exactly-once and rate limits, against the stand-in. */
import { SpacesClient } from '../../lambda/spaces/client';
import { staticCredentials } from '../../lambda/spaces/credentials';
import type { CallGate } from '../../lambda/spaces/rate-limit';
import { startStandIn, STAND_IN_TOKEN, type RunningStandIn } from '../support/stand-in';
import type { Fault } from '../../lambda/local/spaces-stand-in';

const RETRY = { attempts: 4, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 1_000 };

describe('SpacesClient', () => {
  let running: RunningStandIn | undefined;
  afterEach(async () => running?.close());

  function client(gate?: CallGate): SpacesClient {
    return new SpacesClient({ baseUrl: running!.url, credentials: staticCredentials(STAND_IN_TOKEN), retry: RETRY, gate, timeoutMs: 2_000 });
  }

  it('does not repeat a post whose answer was lost, and says it may have landed', async () => {
    // Prepare
    running = await startStandIn({ fault: (op) => (op === 'post' ? { dropAfterHandling: true } : undefined) });

    // Act
    const attempt = client().postChat('space-1', { bodyText: '<p>hello</p>' });

    // Assess
    await expect(attempt).rejects.toMatchObject({ operation: 'post', ambiguous: true });
    expect(running.standIn.calls.filter((c) => c.operation === 'post')).toHaveLength(1);
    expect(running.standIn.messages).toHaveLength(1);
  });

  it('retries a post the server refused with 500, which stored nothing', async () => {
    // Prepare
    let failures = 2;
    running = await startStandIn({ fault: (op): Fault | undefined => (op === 'post' && failures-- > 0 ? { status: 500 } : undefined) });

    // Act
    const id = await client().postChat('space-1', { bodyText: '<p>hello</p>' });

    // Assess
    expect(running.standIn.messages.map((m) => m._id)).toEqual([id]);
    expect(running.standIn.calls.map((c) => c.status)).toEqual([500, 500, 200]);
  });

  it('tells the gate about a 429 and its Retry-After before retrying', async () => {
    // Prepare
    let throttle = true;
    running = await startStandIn({
      fault: (op): Fault | undefined => (op === 'edit' && throttle ? ((throttle = false), { status: 429, headers: { 'retry-after': '0.02' } }) : undefined),
    });
    const posted = await client().postChat('space-1', { bodyText: '<p>firing</p>' });
    const acquired: string[] = [];
    const throttled: [string, number | undefined][] = [];
    const gate: CallGate = { acquire: async (op) => void acquired.push(op), throttled: (op, ms) => void throttled.push([op, ms]) };

    // Act
    await client(gate).editMessage(posted, { bodyText: '<p>resolved</p>' });

    // Assess
    expect(throttled).toEqual([['edit', 20]]);
    expect(acquired).toEqual(['edit', 'edit']);
    expect(running.standIn.messages[0]!.bodyText).toBe('<p>resolved</p>');
  });

  it('lists the latest messages of a space, newest first, with their bodies and times', async () => {
    // Prepare
    running = await startStandIn();
    const c = client();
    const first = await c.postChat('space-1', { bodyText: '<p>one</p>' });
    const second = await c.postChat('space-1', { bodyText: '<p>two</p>' });
    await c.postChat('space-2', { bodyText: '<p>elsewhere</p>' });

    // Act
    const listed = await c.recentMessages('space-1');

    // Assess
    expect(listed.map((m) => [m.id, m.bodyText])).toEqual([
      [second, '<p>two</p>'],
      [first, '<p>one</p>'],
    ]);
    expect(listed[0]!.created).toBeGreaterThan(Date.now() - 10_000);
  });
});

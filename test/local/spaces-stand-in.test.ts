/** The stand-in enforces the Spaces rate limits it is given. */
import { startSpacesServer, TEST_TOKEN, type RunningStandIn } from '../support/spaces-server';

describe('SpacesStandIn rate limits', () => {
  let running: RunningStandIn | undefined;
  afterEach(async () => running?.close());

  it('answers 429 with a Retry-After past the per-endpoint limit, and serves again once the window has slid', async () => {
    // Prepare: 3 posts per 300 ms.
    running = await startSpacesServer({
      limits: {
        perEndpoint: { limit: 3, windowMs: 300 },
        getUploadUrl: { limit: 3, windowMs: 300 },
        overall: { limit: 100, windowMs: 300 },
      },
    });
    const post = () =>
      fetch(`${running!.url}/api/spaces/s/chats`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ content: { bodyText: 'x' } }),
      });

    // Act
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await post()).status);
    const refused = await post();
    await new Promise((resolve) => setTimeout(resolve, 320));
    const later = await post();

    // Assess
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(0.3);
    expect(later.status).toBe(200);
    expect(running.standIn.rateLimited).toBe(2);
    expect(running.standIn.messages).toHaveLength(4);
  });
});

/**
 * The stand-in enforces the Spaces rate limits it is given, issues and checks OAuth tokens as the real hosts do, and
 * fails as a test tells it to.
 */
import { startSpacesServer, TEST_GRANT, TEST_TOKEN, type RunningStandIn } from '../support/spaces-server';

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

describe('SpacesStandIn as an OAuth issuer', () => {
  let running: RunningStandIn | undefined;
  afterEach(async () => running?.close());

  const refresh = (fields: Record<string, string>, contentType = 'application/x-www-form-urlencoded') =>
    fetch(`${running!.url}/oauth2/access_token`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: new URLSearchParams({ grant_type: 'refresh_token', client_id: TEST_GRANT.clientId, client_secret: TEST_GRANT.clientSecret, ...fields }),
    });
  const post = (token: string) =>
    fetch(`${running!.url}/api/spaces/s/chats`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ content: { bodyText: 'x' } }),
    });

  it('exchanges a refresh token for an access token and a new refresh token, once', async () => {
    // Prepare
    running = await startSpacesServer({ oauth: { ...TEST_GRANT, accessTokenSeconds: 60 } });

    // Act
    const first = await refresh({ refresh_token: TEST_GRANT.refreshToken });
    const answer = (await first.json()) as Record<string, unknown>;
    const reused = await refresh({ refresh_token: TEST_GRANT.refreshToken });
    const next = await refresh({ refresh_token: String(answer.refresh_token) });

    // Assess
    expect(first.status).toBe(200);
    expect(answer).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 60, refresh_token: expect.any(String), scope: 'spaces' });
    expect(answer.refresh_token).not.toBe(TEST_GRANT.refreshToken);
    expect(reused.status).toBe(400);
    expect(await reused.json()).toMatchObject({ error: 'invalid_grant' });
    expect(next.status).toBe(200);
    expect(running.standIn.validRefreshTokens).toEqual([((await next.json()) as { refresh_token: string }).refresh_token]);
  });

  it('takes only access tokens it issued that have not expired, not the fixed token', async () => {
    // Prepare
    running = await startSpacesServer({ oauth: TEST_GRANT });
    const { access_token: accessToken } = (await (await refresh({ refresh_token: TEST_GRANT.refreshToken })).json()) as { access_token: string };

    // Act
    const fresh = await post(accessToken);
    const fixed = await post(TEST_TOKEN);
    running.standIn.expireAccessTokens();
    const expired = await post(accessToken);

    // Assess
    expect([fresh.status, fixed.status, expired.status]).toEqual([200, 401, 401]);
  });

  it('refuses a wrong client, a revoked grant, another grant type and a body that is not a form', async () => {
    // Prepare
    running = await startSpacesServer({ oauth: TEST_GRANT });

    // Act
    const wrongClient = await refresh({ refresh_token: TEST_GRANT.refreshToken, client_secret: 'guess' });
    const notForm = await refresh({ refresh_token: TEST_GRANT.refreshToken }, 'application/json');
    const otherGrant = await refresh({ refresh_token: TEST_GRANT.refreshToken, grant_type: 'password' });
    running.standIn.revokeGrant();
    const revoked = await refresh({ refresh_token: TEST_GRANT.refreshToken });

    // Assess
    expect(wrongClient.status).toBe(401);
    expect(await wrongClient.json()).toMatchObject({ error: 'invalid_client' });
    expect(notForm.status).toBe(400);
    expect(await notForm.json()).toMatchObject({ error: 'invalid_request' });
    expect(await otherGrant.json()).toMatchObject({ error: 'unsupported_grant_type' });
    expect(revoked.status).toBe(400);
    expect(await revoked.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('is no issuer in fixed-token mode', async () => {
    // Prepare
    running = await startSpacesServer();

    // Act
    const answer = await refresh({ refresh_token: TEST_GRANT.refreshToken });

    // Assess
    expect(answer.status).toBe(404);
    expect((await post(TEST_TOKEN)).status).toBe(200);
  });
});

describe('SpacesStandIn faults', () => {
  let running: RunningStandIn | undefined;
  afterEach(async () => running?.close());

  it('can answer with a body that echoes the Authorization header, as a careless server may', async () => {
    // Prepare
    running = await startSpacesServer({ fault: (op) => (op === 'post' ? { status: 403, echoAuthorization: true } : undefined) });

    // Act
    const response = await fetch(`${running.url}/api/spaces/s/chats`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ content: { bodyText: 'x' } }),
    });

    // Assess: the token bare, the header in JSON and as a header line, and the header in a field of its own
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({
      message: `credential ${TEST_TOKEN} is not allowed here; request {"authorization": "Bearer ${TEST_TOKEN}"}; Authorization: Bearer ${TEST_TOKEN}`,
      request: { headers: { authorization: `Bearer ${TEST_TOKEN}` } },
    });
    expect(running.standIn.messages).toEqual([]);
  });
});

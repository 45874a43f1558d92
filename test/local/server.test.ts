import { createHash } from 'node:crypto';
import http from 'node:http';
import { startLocalRelay, type LocalRelay } from '../../lambda/local/server';
import { fixtureBytes, fixtureJson } from '../support/fixtures';
import { IMAGE, type FileServer } from '../support/image-server';
import { DAY_MS, FIRST_DAY, longAlertGroup, onlyDateMoves, partsOf, queuedBody } from '../support/redrive';
import { FAST_QUEUE, FAST_RETRY_IN_PLACE, LOCAL_SECRET, sendHook, startRelayWithImages, startTestRelay, WEBHOOK_TOKEN } from '../support/relay';
import { grantSecret, startSpacesServer, TEST_GRANT } from '../support/spaces-server';

const post = (url: string, body: Buffer | string, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });

describe('local relay (npm start) end to end', () => {
  let relay: LocalRelay;
  let images: FileServer;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ relay, images, close } = await startRelayWithImages());
  });

  afterAll(() => close());

  it('posts a Grafana alert with its panel screenshot attached', async () => {
    const alert = fixtureJson('grafana', 'firing_with_image_dashboard_panel_urls_zulip.json');
    alert.alerts[0].imageURL = `${images.url}/render/panel.png`;

    const response = await post(`${relay.url}/hooks/grafana/ops`, JSON.stringify(alert), { authorization: `Bearer ${LOCAL_SECRET}` });
    await relay.queue.idle();

    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };
    expect(id).toMatch(/[0-9a-f-]{36}/);
    const message = relay.standIn!.messages.at(-1)!;
    expect(message.spaceId).toBe('space-ops');
    expect(message.bodyText).toContain('🔥 FIRING · Memory (copy)');
    expect(message.data).toEqual([
      expect.objectContaining({ name: 'panel.png', fileType: 'image', providerFileType: 'image/png', fileSize: IMAGE.length }),
    ]);
    const stored = relay.standIn!.files.get(String(message.data[0]!.fileId))!;
    expect(stored.sha256).toBe(createHash('sha256').update(IMAGE).digest('hex'));
  });

  it('shows the message on the stand-in page and as JSON', async () => {
    const page = await fetch(`${relay.url}/stand-in/`);
    const json = (await (await fetch(`${relay.url}/stand-in/messages`)).json()) as { messages: unknown[] };

    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('Memory (copy)');
    expect(json.messages.length).toBeGreaterThan(0);
  });

  it('still posts the text when the image host is not allow-listed, and says so', async () => {
    const before = relay.standIn!.messages.length;

    await post(`${relay.url}/hooks/grafana`, fixtureBytes('grafana', 'firing_with_image_dashboard_panel_urls_zulip.json'), {
      authorization: `Bearer ${LOCAL_SECRET}`,
    });
    await relay.queue.idle();

    const message = relay.standIn!.messages[before]!;
    expect(message.data).toEqual([]);
    expect(message.bodyText).toContain('could not be attached: https://grafana.com is not on the allowlist');
  });

  it('answers like the deployed API: 401, 404, 413, 415 with JSON bodies', async () => {
    const alert = fixtureBytes('alertmanager', 'firing_single_alert_capture.json');

    const unauthorized = await post(`${relay.url}/hooks/alertmanager`, alert);
    const unknown = await post(`${relay.url}/hooks/zabbix`, alert, { authorization: `Bearer ${LOCAL_SECRET}` });
    const tooLarge = await post(`${relay.url}/hooks/generic`, Buffer.alloc(1024 * 1024 + 1, 32), { authorization: `Bearer ${LOCAL_SECRET}` });
    const wrongType = await post(`${relay.url}/hooks/alertmanager`, alert, { authorization: `Bearer ${LOCAL_SECRET}`, 'content-type': 'text/csv' });

    expect([unauthorized.status, unknown.status, tooLarge.status, wrongType.status]).toEqual([401, 404, 413, 415]);
    expect(await tooLarge.json()).toMatchObject({ error: 'payload_too_large', field: 'body' });
  });

  it.each(['//', '//a:b/hooks/generic'])('answers the path %s, which is no URL path, with the JSON 404 of the deployed API', async (path) => {
    // Prepare: a request target as a client may send it; fetch would normalise it first.
    const { port } = new URL(relay.url);

    // Act
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      http
        .request({ host: '127.0.0.1', port, path, method: 'POST', headers: { authorization: `Bearer ${LOCAL_SECRET}` } }, (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => (body += chunk.toString()));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        })
        .on('error', reject)
        .end();
    });

    // Assess
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.body)).toMatchObject({ error: 'not_found', message: expect.stringContaining('no route for') });
  });

  it('reports health', async () => {
    const health = await fetch(`${relay.url}/healthz`);

    expect(await health.json()).toMatchObject({ ok: true, queued: 0, deadLetters: 0, counts: expect.any(Object) });
  });

  it('hands an SQS event from POST /events to deliver', async () => {
    const notification = {
      v: 1,
      id: 'evt-1',
      deliveryKey: 'generic:test',
      receivedAt: new Date().toISOString(),
      channel: 'default',
      message: { source: 'generic', status: 'success', title: 'From the queue', fields: [], links: [], items: [], attachments: [] },
    };
    const sqsEvent = { Records: [{ eventSource: 'aws:sqs', messageId: 'm1', body: JSON.stringify(notification) }] };

    const response = await post(`${relay.url}/events`, JSON.stringify(sqsEvent), { authorization: `Bearer ${LOCAL_SECRET}` });

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ records: [{ id: expect.any(String), outcome: 'handled' }] });
    expect(relay.standIn!.messages.at(-1)!).toMatchObject({ spaceId: 'space-default', bodyText: expect.stringContaining('✔️ SUCCEEDED · From the queue') });
  });

  it('answers an event nothing recognises with 400 and the reason', async () => {
    const response = await post(`${relay.url}/events`, JSON.stringify({ hello: 'world' }), { authorization: `Bearer ${LOCAL_SECRET}` });

    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toContain('no source recognises this event');
  });

  it('asks for the inbound secret on its own routes too: events and dead letters', async () => {
    const event = await post(`${relay.url}/events`, JSON.stringify({ hello: 'world' }));
    const letters = await fetch(`${relay.url}/dead-letters`);
    const redrive = await fetch(`${relay.url}/dead-letters/redrive`, { method: 'POST' });

    expect([event.status, letters.status, redrive.status]).toEqual([401, 401, 401]);
    expect(await letters.json()).toMatchObject({ error: 'unauthorized' });
  });
});

describe('local relay when Spaces keeps failing', () => {
  it('keeps what it could not deliver as a dead letter with the reason', async () => {
    const relay = await startLocalRelay({
      port: 0,
      settings: { CHANNELS: JSON.stringify({ default: 'space-default' }) },
      tuning: { retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 }, retryInPlace: FAST_RETRY_IN_PLACE },
      queue: { ...FAST_QUEUE, maxReceives: 2 },
      standInFault: (operation) => (operation === 'post' ? { status: 503 } : undefined),
    });
    try {
      await post(`${relay.url}/hooks/generic`, JSON.stringify({ text: 'will not make it' }));
      await relay.queue.idle();

      const letters = (await (await fetch(`${relay.url}/dead-letters`)).json()) as { deadLetters: { reason: string }[] };
      expect(letters.deadLetters).toEqual([expect.objectContaining({ reason: 'Spaces post failed: HTTP 503 — injected 503 (gave up after 2 receives)' })]);
      expect(relay.standIn!.messages).toHaveLength(0);
    } finally {
      await relay.close();
    }
  });
});

/** The local dead-letter routes: see what failed and why, then replay it once the cause is fixed. */
describe('local dead letters', () => {
  let relay: LocalRelay | undefined;
  afterEach(async () => {
    jest.useRealTimers();
    await relay?.close();
  });

  it('lists dead letters with their reasons and redrives them after the cause is fixed', async () => {
    // Prepare: Spaces refuses every post until "fixed".
    let fixed = false;
    relay = await startTestRelay({ standInFault: (op) => (op === 'post' && !fixed ? { status: 403 } : undefined) });
    await sendHook(relay, '/hooks/generic', { text: 'first' });
    await sendHook(relay, '/hooks/generic', { text: 'second' });
    await relay.queue.idle();
    const auth = { authorization: `Bearer ${WEBHOOK_TOKEN}` };
    const listed = (await (await fetch(`${relay.url}/dead-letters`, { headers: auth })).json()) as { deadLetters: { reason: string }[] };

    // Act
    fixed = true;
    const redrive = await fetch(`${relay.url}/dead-letters/redrive`, { method: 'POST', headers: auth });
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

  it('posts only what was not posted yet when a dead letter is redriven 13 days later', async () => {
    // Prepare: Spaces takes the first part of the group, then refuses the rest until "fixed"
    onlyDateMoves();
    let fixed = false;
    const refusing = (op: string) => op === 'post' && !fixed && (relay?.standIn?.messages.length ?? 0) >= 1;
    relay = await startTestRelay({ standInFault: (op) => (refusing(op) ? { status: 400 } : undefined) });
    const auth = { authorization: `Bearer ${WEBHOOK_TOKEN}` };
    const event = await fetch(`${relay.url}/events`, { method: 'POST', headers: auth, body: queuedBody(longAlertGroup('DiskFilling'), 'k-disk') });

    // Act
    fixed = true;
    jest.setSystemTime(FIRST_DAY + 13 * DAY_MS);
    const redrive = (await (await fetch(`${relay.url}/dead-letters/redrive`, { method: 'POST', headers: auth })).json()) as { redriven: number };
    await relay.queue.idle();

    // Assess: local mode keeps delivery state as long as the stack does, so the first part is not posted again
    expect(event.status).toBe(400);
    expect(redrive).toEqual({ redriven: 1 });
    expect(partsOf(relay.standIn!.messages)).toEqual(['1/3', '2/3', '3/3']);
  });

  it('dead-letters a record whose transient failures outlast its receives, with the last reason', async () => {
    // Prepare
    relay = await startTestRelay({ queue: { ...FAST_QUEUE, maxReceives: 3 }, standInFault: (op) => (op === 'post' ? { status: 503 } : undefined) });

    // Act
    await sendHook(relay, '/hooks/generic', { text: 'never gets through' });
    await relay.queue.idle();

    // Assess
    // Its last receive: deliver dead-letters it itself, with the reason SQS would not keep.
    expect(relay.queue.deadLetters).toEqual([expect.objectContaining({ reason: 'Spaces post failed: HTTP 503 — injected 503 (gave up after 3 receives)' })]);
    // Each receive tried it in place too, before handing it back.
    expect(relay.standIn!.calls.filter((c) => c.operation === 'post')).toHaveLength(3 * FAST_RETRY_IN_PLACE.rounds);
  });
});

/** `SPACES_TOKEN` holds what the token secret would: a token, `{"scheme","token"}` or an OAuth grant. */
describe('local relay with a real Spaces', () => {
  it('renews an OAuth grant given as SPACES_TOKEN, with the rotated refresh token it keeps in memory', async () => {
    // Prepare: access tokens of a second; each refresh token works once.
    const spaces = await startSpacesServer({ oauth: { ...TEST_GRANT, accessTokenSeconds: 1 } });
    const relay = await startTestRelay({ spaces: { baseUrl: spaces.url, token: grantSecret(spaces.url) } });
    try {
      // Act
      await sendHook(relay, '/hooks/generic', { text: 'first' });
      await relay.queue.idle();
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      await sendHook(relay, '/hooks/generic', { text: 'second' });
      await relay.queue.idle();

      // Assess: the second renewal could only use the refresh token the first one brought.
      expect(spaces.standIn.messages.map((m) => /first|second/.exec(m.bodyText)?.[0])).toEqual(['first', 'second']);
      expect(spaces.standIn.calls.filter((c) => c.operation === 'token').map((c) => c.status)).toEqual([200, 200]);
      expect(spaces.standIn.calls.filter((c) => c.status === 401)).toEqual([]);
    } finally {
      await relay.close();
      await spaces.close();
    }
  });

  it('does not start with a SPACES_TOKEN that is not a credential, and does not repeat it', async () => {
    // Act
    const starting = startLocalRelay({ port: 0, spaces: { baseUrl: 'https://spacesapis.avayacloud.com', token: '{"oauth": {"clientId": "c", "clientSecret": "hunter2"}}' } });

    // Assess
    await expect(starting).rejects.toThrow('SPACES_TOKEN is not a credential (oauth.refreshToken: required)');
    await expect(starting).rejects.not.toThrow('hunter2');
  });
});

import { gzipSync } from 'node:zlib';
import { inboundSecrets, type InboundSecretStore } from '../../lambda/ingest/inbound-secret';
import { ingestWebhook, screenWebhook, type IntakeDependencies } from '../../lambda/ingest/intake';
import { hmacSha256Hex } from '../../lambda/security/hmac';
import { fixtureBytes, fixtureSidecar, webhookRequest } from '../support/fixtures';
import { testIntake } from '../support/intake';

const SECRET = 'inbound-secret';

function setup(overrides: Partial<IntakeDependencies> = {}) {
  return testIntake({
    secret: SECRET,
    channels: ['oncall'],
    overrides: { newId: () => 'id-1', now: () => new Date('2026-01-02T03:04:05Z'), ...overrides },
  });
}

const auth = { Authorization: `Bearer ${SECRET}` };
const alert = fixtureBytes('alertmanager', 'firing_two_alerts_zulip.json');

describe('ingestWebhook', () => {
  it('queues a verified Alertmanager group and answers 202 with its id', async () => {
    const { deps, queued } = setup();

    const response = await ingestWebhook(webhookRequest('/hooks/alertmanager', alert, auth), deps);

    expect(response).toEqual({ statusCode: 202, body: { id: 'id-1', queued: 1 } });
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ v: 1, id: 'id-1', channel: 'default', receivedAt: '2026-01-02T03:04:05.000Z' });
    expect(queued[0]!.deliveryKey).toMatch(/^alertmanager:/);
    expect(queued[0]!.message.items).toHaveLength(2);
  });

  it('routes /hooks/{source}/{channel} to that channel', async () => {
    const { deps, queued } = setup();

    await ingestWebhook(webhookRequest('/hooks/alertmanager/oncall', alert, auth), deps);

    expect(queued[0]!.channel).toBe('oncall');
  });

  it('accepts Basic auth and a text/plain generic message', async () => {
    const { deps, queued } = setup();
    const basic = { Authorization: `Basic ${Buffer.from(`x:${SECRET}`).toString('base64')}`, 'Content-Type': 'text/plain; charset=utf-8' };

    const response = await ingestWebhook(webhookRequest('/hooks/generic', 'backup finished', basic), deps);

    expect(response.statusCode).toBe(202);
    expect(queued[0]!.message.summary).toBe('backup finished');
  });

  it('answers a secret in the path of a source that takes none 404, without repeating it', async () => {
    // Prepare
    const { deps, queued } = setup();

    // Act
    const response = await ingestWebhook(webhookRequest(`/hooks/alertmanager/default/${SECRET}`, alert, auth), deps);

    // Assess
    expect(response.statusCode).toBe(404);
    expect(response.body.message).toMatch(/^no route for \/hooks\/alertmanager\/default\/\[redacted\]/);
    expect(JSON.stringify(response)).not.toContain(SECRET);
    expect(queued).toHaveLength(0);
  });

  it.each([
    ['an unknown source', '/hooks/nagios', 404, /unknown source "nagios"; supported: alertmanager, grafana, .*, generic$/],
    ['an unknown channel', '/hooks/alertmanager/nope', 404, /unknown channel "nope"; configured: default, oncall/],
    ['a path outside /hooks', '/admin', 404, /no route/],
  ])('answers %s (%s) with %i', async (_, path, status, message) => {
    const { deps, queued } = setup();

    const response = await ingestWebhook(webhookRequest(path, alert, auth), deps);

    expect(response.statusCode).toBe(status);
    expect(response.body.message).toMatch(message);
    expect(queued).toHaveLength(0);
  });

  it('answers a missing or wrong secret with 401 and queues nothing', async () => {
    const { deps, queued } = setup();

    const missing = await ingestWebhook(webhookRequest('/hooks/alertmanager', alert), deps);
    const wrong = await ingestWebhook(webhookRequest('/hooks/alertmanager', alert, { Authorization: 'Bearer x' }), deps);

    expect(missing.statusCode).toBe(401);
    expect(wrong).toMatchObject({ statusCode: 401, body: { error: 'unauthorized' } });
    expect(JSON.stringify(wrong.body)).not.toContain(SECRET);
    expect(queued).toHaveLength(0);
  });

  it('answers an oversized body with 413 before looking at it', async () => {
    const { deps } = setup({ maxBodyBytes: 100 });

    const response = await ingestWebhook(webhookRequest('/hooks/alertmanager', alert, auth), deps);

    expect(response).toMatchObject({ statusCode: 413, body: { error: 'payload_too_large', field: 'body' } });
  });

  it('answers a wrong content type with 415 naming what it takes', async () => {
    const { deps } = setup();

    const response = await ingestWebhook(
      webhookRequest('/hooks/alertmanager', alert, { ...auth, 'Content-Type': 'application/x-www-form-urlencoded' }),
      deps,
    );

    expect(response).toMatchObject({ statusCode: 415, body: { field: 'content-type' } });
    expect(response.body.message).toContain('application/json');
  });

  it('answers bad JSON and a bad field with 400 naming the field', async () => {
    const { deps } = setup();
    const wrongType = JSON.parse(alert.toString());
    wrongType.alerts[0].labels = 'not-an-object';

    const broken = await ingestWebhook(webhookRequest('/hooks/alertmanager', '{"alerts": [', auth), deps);
    const invalid = await ingestWebhook(webhookRequest('/hooks/alertmanager', JSON.stringify(wrongType), auth), deps);

    expect(broken).toMatchObject({ statusCode: 400, body: { field: 'body' } });
    expect(invalid).toMatchObject({ statusCode: 400, body: { error: 'bad_request', field: 'alerts.0.labels' } });
  });

  it.each([
    // Written as text: the test's own JSON.stringify would overflow on the nesting.
    ['values nested 5,000 levels deep', (grafana: string) => grafana.replace(/^\{/, `{"values":${'{"v":'.repeat(5_000)}1${'}'.repeat(5_000)},`), /nested more than 64 levels deep/],
    ['a __proto__ key in the labels', (grafana: string) => grafana.replace('"alertname"', '"__proto__":{"x":1},"alertname"'), /__proto__: is not allowed as a key/],
    ['null instead of the group', () => 'null', /invalid grafana payload/],
  ])('answers a Grafana body with %s with 400 naming the problem, never a 5xx', async (_name, shape, message) => {
    // Prepare
    const { deps, queued } = setup();
    const body = Buffer.from(shape(fixtureBytes('grafana', 'firing_with_image_dashboard_panel_urls_zulip.json').toString('utf8')));

    // Act
    const response = await ingestWebhook(webhookRequest('/hooks/grafana', body, auth), deps);

    // Assess
    expect(response.statusCode).toBe(400);
    expect(response.body).toMatchObject({ error: 'bad_request', message: expect.stringMatching(message), field: expect.any(String) });
    expect(queued).toEqual([]);
  });

  it('answers 405 to anything but POST', async () => {
    const { deps } = setup();

    const response = await ingestWebhook({ ...webhookRequest('/hooks/alertmanager', '', auth), method: 'GET' }, deps);

    expect(response.statusCode).toBe(405);
  });

  it('refuses a source this team did not enable, naming those it did to an authenticated caller', async () => {
    const { deps } = setup({ enabledSources: ['grafana'] });

    const response = await ingestWebhook(webhookRequest('/hooks/alertmanager', alert, auth), deps);

    expect(response).toMatchObject({ statusCode: 404 });
    expect(response.body.message).toBe('source "alertmanager" is not turned on for this relay; turned on: grafana');
  });

  it('answers 503 when the queue fails, so the sender retries', async () => {
    const { deps } = setup({ enqueue: async () => Promise.reject(new Error('SQS down')) });

    const response = await ingestWebhook(webhookRequest('/hooks/alertmanager', alert, auth), deps);

    expect(response).toMatchObject({ statusCode: 503, body: { error: 'unavailable' } });
  });

  it('accepts unauthenticated requests only when no secret is configured', async () => {
    const { deps, queued } = setup({ inboundSecrets: undefined });

    const response = await ingestWebhook(webhookRequest('/hooks/alertmanager', alert), deps);

    expect(response.statusCode).toBe(202);
    expect(queued).toHaveLength(1);
  });

  describe('before the sender is authenticated', () => {
    const github = (path: string, secret: string) => {
      const body = fixtureBytes('github', 'workflow_run_completed_success.json');
      const { headers } = fixtureSidecar('github', 'workflow_run_completed_success.json');
      return webhookRequest(path, body, { ...headers, 'X-Hub-Signature-256': `sha256=${hmacSha256Hex(secret, body)}` });
    };

    it.each([
      ['no credentials', {}],
      ['a wrong secret', { Authorization: 'Bearer guess' }],
    ])('answers a request to an unknown channel with %s 401, naming no channel', async (_, headers) => {
      // Prepare
      const { deps, queued } = setup();

      // Act
      const response = await ingestWebhook(webhookRequest('/hooks/alertmanager/nope', alert, headers), deps);

      // Assess
      expect(response.statusCode).toBe(401);
      expect(JSON.stringify(response.body)).not.toMatch(/oncall|nope|channel/);
      expect(queued).toEqual([]);
    });

    it('answers a signed sender (GitHub) at an unknown channel 401 until its signature over the body holds, then 404 with the channels', async () => {
      // Prepare
      const { deps } = setup();

      // Act
      const forged = await ingestWebhook(github('/hooks/github/nope', 'guess'), deps);
      const signed = await ingestWebhook(github('/hooks/github/nope', SECRET), deps);

      // Assess
      expect(forged.statusCode).toBe(401);
      expect(JSON.stringify(forged.body)).not.toContain('oncall');
      expect(signed).toMatchObject({ statusCode: 404, body: { message: 'unknown channel "nope"; configured: default, oncall' } });
    });

    it('answers a request to a source the team did not turn on 401, so that its sources cannot be probed', async () => {
      // Prepare
      const { deps } = setup({ enabledSources: ['grafana'] });

      // Act
      const response = await ingestWebhook(webhookRequest('/hooks/alertmanager', alert), deps);

      // Assess
      expect(response.statusCode).toBe(401);
      expect(JSON.stringify(response.body)).not.toContain('grafana');
    });

    it('answers an unknown source with every source the relay serves, not those the team turned on', async () => {
      // Prepare
      const { deps } = setup({ enabledSources: ['grafana'] });

      // Act
      const response = await ingestWebhook(webhookRequest('/hooks/nagios', alert), deps);

      // Assess
      expect(response.statusCode).toBe(404);
      expect(response.body.message).toBe(
        'unknown source "nagios"; supported: alertmanager, grafana, github, gitlab, jenkins, circleci, sns, slack, teams, discord, generic',
      );
    });

    it('does not decode the body of a request whose headers fail the proof', async () => {
      // Prepare: a body that is not gzip though it says so, and a bomb that is.
      const { deps } = setup();
      const garbage = webhookRequest('/hooks/alertmanager', 'not gzip at all', { 'Content-Encoding': 'gzip' });
      const bomb = webhookRequest('/hooks/alertmanager', gzipSync(Buffer.alloc(50 * 1024 * 1024)), { 'Content-Encoding': 'gzip' });

      // Act
      const answers = [await ingestWebhook(garbage, deps), await ingestWebhook(bomb, deps)];

      // Assess: unauthenticated, not "not valid gzip" (415) nor "too large once decoded" (413).
      expect(answers.map((a) => a.statusCode)).toEqual([401, 401]);
    });
  });

  describe('screenWebhook: what the headers decide, before the body is read', () => {
    const head = (path: string, headers: Record<string, string> = {}) => {
      const { body: _none, ...rest } = webhookRequest(path, '', headers);
      return rest;
    };

    it.each([
      ['a shared-secret sender without credentials', '/hooks/alertmanager', {}, 401],
      ['a shared-secret sender with a wrong secret', '/hooks/grafana', { Authorization: 'Bearer guess' }, 401],
      ['GitLab with a wrong token', '/hooks/gitlab', { 'X-Gitlab-Token': 'guess' }, 401],
      ['SNS without credentials (the challenge)', '/hooks/sns', { 'Content-Type': 'text/plain' }, 401],
      ['a declared body over the limit', '/hooks/alertmanager', { ...auth, 'Content-Length': String(2 * 1024 * 1024) }, 413],
      ['a content type the sender never uses', '/hooks/alertmanager', { ...auth, 'Content-Type': 'text/html' }, 415],
      ['a path outside /hooks', '/admin', auth, 404],
      ['an unknown channel, to an authenticated sender', '/hooks/alertmanager/nope', auth, 404],
    ])('refuses %s', async (_, path, headers, status) => {
      // Prepare
      const { deps } = setup();

      // Act
      const refused = await screenWebhook(head(path, headers), deps);

      // Assess
      expect(refused?.statusCode).toBe(status);
    });

    it('sends the SNS challenge with its refusal, so that SNS sends the credentials of its subscription URL', async () => {
      const { deps } = setup();

      const refused = await screenWebhook(head('/hooks/sns', { 'Content-Type': 'text/plain' }), deps);

      expect(refused?.headers).toEqual({ 'www-authenticate': 'Basic realm="spaces-relay"' });
    });

    it.each([
      ['a shared-secret sender with the secret', '/hooks/alertmanager/oncall', auth],
      ['GitLab with the token', '/hooks/gitlab', { 'X-Gitlab-Token': SECRET }],
      ['GitHub, whose signature needs the body', '/hooks/github', { 'X-Hub-Signature-256': 'sha256=00' }],
      ['a request to /hooks, whose sender the body tells', '/hooks', {}],
    ])('lets the body be read for %s', async (_, path, headers) => {
      const { deps } = setup();

      expect(await screenWebhook(head(path, headers), deps)).toBeUndefined();
    });

    it('checks the headers against the rotated secret: the previous value in its grace period, the new one at once', async () => {
      // Prepare: the instance holds "old"; the store has moved on to "new", keeping "old" as the previous value.
      let current = { id: 'v1', value: 'old', created: new Date(0) };
      const store: InboundSecretStore = { current: async () => current, previous: async () => 'old' };
      const { deps } = setup({ inboundSecrets: inboundSecrets(store, { graceMs: 3_600_000 }) });
      await screenWebhook(head('/hooks/generic', { Authorization: 'Bearer old' }), deps);
      current = { id: 'v2', value: 'new', created: new Date() };

      // Act
      const withNew = await screenWebhook(head('/hooks/generic', { Authorization: 'Bearer new' }), deps);
      const withOld = await screenWebhook(head('/hooks/generic', { Authorization: 'Bearer old' }), deps);
      const withGuess = await screenWebhook(head('/hooks/generic', { Authorization: 'Bearer guess' }), deps);

      // Assess
      expect([withNew, withOld, withGuess?.statusCode]).toEqual([undefined, undefined, 401]);
    });
  });
});

import { ingestWebhook, type IntakeDependencies } from '../../lambda/ingest/intake';
import { fixtureBytes, webhookRequest } from '../support/fixtures';
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

  it('refuses a source this team did not enable', async () => {
    const { deps } = setup({ enabledSources: ['grafana'] });

    const response = await ingestWebhook(webhookRequest('/hooks/alertmanager', alert, auth), deps);

    expect(response).toMatchObject({ statusCode: 404 });
    expect(response.body.message).toContain('supported: grafana');
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
});

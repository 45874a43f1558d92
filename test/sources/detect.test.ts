/** `POST /hooks`: the sender is recognised by each source's `detect`, through `ingestWebhook`. */
import { ingestWebhook } from '../../lambda/intake';
import { SOURCES } from '../../lambda/sources';
import type { InboundRequest } from '../../lambda/sources/source';
import { fixtureBytes, fixtureJson, fixtureNames, webhookRequest } from '../support/fixtures';
import { testIntake } from '../support/intake';

const SECRET = 'detect-test-secret';
const BEARER = { Authorization: `Bearer ${SECRET}` };
/** Every source `POST /hooks` can reach, in the order it asks them. */
const DETECTABLE = SOURCES.filter((source) => source.webhook?.detect).map((source) => source.name);

/** Posts the request and says which source took it. */
async function post(request: InboundRequest, secret = SECRET, enabledSources?: string[]) {
  const intake = testIntake({ secret, enabledSources });
  const response = await ingestWebhook(request, intake.deps);
  return { response, sources: intake.queued.map((n) => n.message.source), channels: intake.queued.map((n) => n.channel) };
}

describe('POST /hooks (auto-detection)', () => {
  it.each(fixtureNames('alertmanager'))('recognises Alertmanager by its version 4 group (%s)', async (name) => {
    const { sources } = await post(webhookRequest('/hooks', fixtureBytes('alertmanager', name), BEARER));

    expect(sources.length).toBeGreaterThan(0);
    expect(new Set(sources)).toEqual(new Set(['alertmanager']));
  });

  it.each(fixtureNames('grafana'))('recognises Grafana by its version 1 group, orgId and state (%s)', async (name) => {
    const { sources } = await post(webhookRequest('/hooks', fixtureBytes('grafana', name), BEARER));

    expect(sources.length).toBeGreaterThan(0);
    expect(new Set(sources)).toEqual(new Set(['grafana']));
  });

  it('recognises Grafana by orgId alone (docs fixture without version)', async () => {
    const group = fixtureJson('grafana', 'firing_two_alerts_grafana_docs.json');
    delete group.version;

    const { sources } = await post(webhookRequest('/hooks', JSON.stringify(group), BEARER));

    expect(sources).toEqual(['grafana']);
  });

  it.each([
    ['plain text', 'Deploy finished', { 'Content-Type': 'text/plain' }],
    ['JSON with a text', JSON.stringify({ text: 'Deploy finished', status: 'success' }), {}],
  ])('takes %s as generic', async (_kind, body, headers) => {
    const { sources } = await post(webhookRequest('/hooks', body, { ...BEARER, ...headers }));

    expect(sources).toEqual(['generic']);
  });

  it('answers at /hooks/ too', async () => {
    const { sources } = await post(webhookRequest('/hooks/', 'Deploy finished', { ...BEARER, 'Content-Type': 'text/plain' }));

    expect(sources).toEqual(['generic']);
  });

  it('asks generic last, as the catch-all', () => {
    expect(SOURCES.at(-1)!.name).toBe('generic');
  });

  it('still verifies the detected sender’s proof', async () => {
    const request = webhookRequest('/hooks', fixtureBytes('alertmanager', 'firing_two_alerts_zulip.json'), BEARER);

    const { response, sources } = await post(request, 'another secret');

    expect(response.statusCode).toBe(401);
    expect(sources).toEqual([]);
  });

  it('refuses a shape no source recognises with a 400 that lists the supported sources', async () => {
    const { response, sources } = await post(webhookRequest('/hooks', JSON.stringify({ message: 'hello' }), BEARER));

    expect(response.statusCode).toBe(400);
    expect(response.body.field).toBe('body');
    expect(response.body.message).toBe(
      `cannot tell which sender this is; supported: ${DETECTABLE.join(', ')} (or post to /hooks/{source})`,
    );
    expect(sources).toEqual([]);
  });

  it('refuses a body that is not JSON (and not text/plain) the same way', async () => {
    const { response } = await post(webhookRequest('/hooks', 'not json', BEARER));

    expect(response.statusCode).toBe(400);
    expect(response.body.message).toMatch(/^cannot tell which sender this is/);
  });

  it('considers only the sources the team turned on', async () => {
    const request = webhookRequest('/hooks', fixtureBytes('grafana', 'firing_two_alerts_grafana_docs.json'), BEARER);

    const { response } = await post(request, SECRET, ['alertmanager', 'generic']);

    expect(response.statusCode).toBe(400);
    expect(response.body.message).toMatch(/supported: alertmanager, generic /);
  });
});

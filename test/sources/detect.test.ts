/** `POST /hooks`: the sender is recognised by each source's `detect`, through `ingestWebhook`. */
import { ingestWebhook } from '../../lambda/ingest/intake';
import { SOURCES } from '../../lambda/sources';
import type { InboundRequest } from '../../lambda/sources/source';
import { fixtureBytes, fixtureJson, fixtureNames, fixtureSidecar, webhookRequest } from '../support/fixtures';
import { testIntake } from '../support/intake';

const SECRET = 'detect-test-secret';
const BEARER = { Authorization: `Bearer ${SECRET}` };
/** Every source `POST /hooks` can reach, in the order it asks them. */
const DETECTABLE = SOURCES.filter((source) => source.webhook?.detect).map((source) => source.name);

/** Posts to `path` and says which source took the request. */
async function post(request: InboundRequest, secret = SECRET, enabledSources?: string[]) {
  const intake = testIntake({ secret, enabledSources });
  const response = await ingestWebhook(request, intake.deps);
  return { response, sources: intake.queued.map((n) => n.message.source), channels: intake.queued.map((n) => n.channel) };
}

/** A fixture with its sidecar headers, posted to `/hooks`, and the secret its signature (or GitLab token) was made with. */
function signedFixture(folder: string, name: string): { request: InboundRequest; secret: string } {
  const { headers, secret } = fixtureSidecar(folder, name);
  return { request: webhookRequest('/hooks', fixtureBytes(folder, name), headers), secret: (secret ?? headers['X-Gitlab-Token'])! };
}

describe('POST /hooks (auto-detection)', () => {
  it.each([
    ['github', 'workflow_run_completed_success.json'],
    ['gitlab', 'pipeline_hook_failed_nuecagram.json'],
    ['circleci', 'workflow_completed_success_zulip.json'],
  ])('recognises %s by its headers (%s)', async (source, name) => {
    // Prepare
    const { request, secret } = signedFixture(source, name);

    // Act
    const { response, sources, channels } = await post(request, secret);

    // Assess
    expect(response.statusCode).toBe(202);
    expect(sources).toEqual([source]);
    expect(channels).toEqual(['default']);
  });

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

  it('recognises Jenkins by the Notification plugin shape (wiki fixture, phase FINALIZED)', async () => {
    const job = fixtureJson('jenkins', 'notification_plugin_completed_success_wiki.json');
    job.build.phase = 'FINALIZED';

    const { sources } = await post(webhookRequest('/hooks', JSON.stringify(job), BEARER));

    expect(sources).toEqual(['jenkins']);
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

  it('asks every webhook source, generic last as the catch-all', () => {
    expect(DETECTABLE).toEqual(expect.arrayContaining(['alertmanager', 'grafana', 'github', 'gitlab', 'jenkins', 'circleci']));
    expect(DETECTABLE.at(-1)).toBe('generic');
  });

  it('still verifies the detected sender’s proof', async () => {
    const { request } = signedFixture('github', 'workflow_run_completed_success.json');

    const { response, sources } = await post(request, 'another secret');

    expect(response.statusCode).toBe(401);
    expect(sources).toEqual([]);
  });

  it('refuses a shape no source recognises with a 400 that lists the sources the relay recognises', async () => {
    const { response, sources } = await post(webhookRequest('/hooks', JSON.stringify({ message: 'hello' }), BEARER));

    expect(response.statusCode).toBe(400);
    expect(response.body.field).toBe('body');
    expect(response.body.message).toBe(
      `cannot tell which sender this is; the relay recognises ${DETECTABLE.join(', ')} when turned on (or post to /hooks/{source})`,
    );
    expect(sources).toEqual([]);
  });

  it('refuses a body that is not JSON (and not text/plain) the same way', async () => {
    const { response } = await post(webhookRequest('/hooks', 'not json', BEARER));

    expect(response.statusCode).toBe(400);
    expect(response.body.message).toMatch(/^cannot tell which sender this is/);
  });

  it('considers only the sources the team turned on, without naming them: the sender is not authenticated yet', async () => {
    // Prepare
    const { request, secret } = signedFixture('github', 'workflow_run_completed_success.json');

    // Act
    const { response, sources } = await post(request, secret, ['alertmanager', 'generic']);

    // Assess
    expect(response.statusCode).toBe(400);
    expect(response.body.message).toMatch(/^cannot tell which sender this is; the relay recognises alertmanager, grafana, github, /);
    expect(sources).toEqual([]);
  });
});

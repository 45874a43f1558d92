import type { LocalRelay } from '../../lambda/local/server';
import { fixtureBytes } from '../support/fixtures';
import { startTestRelay, WEBHOOK_TOKEN } from '../support/relay';

describe('the try panel routes of the local relay', () => {
  let relay: LocalRelay;

  beforeAll(async () => {
    relay = await startTestRelay();
  });

  afterAll(() => relay.close());

  const preview = (request: unknown, token?: string) =>
    fetch(`${relay.url}/stand-in/preview`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(request),
    });

  it('answers what a payload would post, and posts nothing', async () => {
    // Prepare
    const body = fixtureBytes('alertmanager', 'firing_single_alert_capture.json').toString('utf8');

    // Act
    const response = await preview({ source: 'alertmanager', body }, WEBHOOK_TOKEN);

    // Assess
    expect(response.status).toBe(200);
    const answer = (await response.json()) as { messages: { channel: string; bodyTexts: string[] }[]; html: string };
    expect(answer.messages).toEqual([{ channel: 'default', message: expect.any(Object), bodyTexts: [expect.stringMatching(/^<p><b>🔥 FIRING · /)] }]);
    expect(answer.html).toContain('<iframe class="body"');
    await relay.queue.idle();
    expect(relay.standIn!.messages).toEqual([]);
  });

  it('asks for the inbound secret, as the other local routes do', async () => {
    // Act
    const response = await preview({ source: 'generic', body: 'hi' });

    // Assess
    expect(response.status).toBe(401);
  });

  it('names the problem of a payload the relay would refuse, and of a request that is not one', async () => {
    // Act
    const refused = await preview({ source: 'alertmanager', body: '{"alerts": 1}' }, WEBHOOK_TOKEN);
    const malformed = await preview({ body: 'x' }, WEBHOOK_TOKEN);

    // Assess
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { message: string }).message).toMatch(/^invalid alertmanager payload: /);
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { message: string }).message).toMatch(/^invalid preview request: source: /);
  });

  it('serves a listed fixture with its headers, and nothing else', async () => {
    // Act
    const fixture = await fetch(`${relay.url}/stand-in/fixtures/github/workflow_run_completed_success.json`);
    const outside = await fetch(`${relay.url}/stand-in/fixtures/github/..%2F..%2F..%2Fpackage.json`);

    // Assess
    expect(fixture.status).toBe(200);
    const { body, headers } = (await fixture.json()) as { body: string; headers: Record<string, string> };
    expect(JSON.parse(body).workflow_run).toBeDefined();
    expect(headers).toEqual(expect.objectContaining({ 'X-GitHub-Event': 'workflow_run' }));
    expect(outside.status).toBe(404);
  });

  it('offers the fixtures on the page, under the source each is for', async () => {
    // Act
    const page = await (await fetch(`${relay.url}/stand-in/`)).text();

    // Assess
    expect(page).toContain('<option value="codebuild/build_state_change_succeeded.json">build_state_change_succeeded.json</option>');
    expect(page).not.toContain('_headers_generic.json');
  });
});

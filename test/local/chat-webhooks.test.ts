import type { LocalRelay } from '../../lambda/local/server';
import { fixtureJson } from '../support/fixtures';
import { IMAGE, type FileServer } from '../support/image-server';
import { LOCAL_SECRET as SECRET, startRelayWithImages } from '../support/relay';

const post = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

describe('Teams and Discord senders through the local relay', () => {
  let relay: LocalRelay;
  let images: FileServer;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ relay, images, close } = await startRelayWithImages());
  });

  afterAll(() => close());

  it('posts a Discord message with its embed image attached, answering 204 as Discord does', async () => {
    // Prepare: Grafana's Discord contact point, its image on an allowed host.
    const body = fixtureJson('discord', 'grafana_firing_with_image.json');
    body.embeds[1].image.url = `${images.url}/render/panel.png`;

    // Act
    const response = await post(`${relay.url}/hooks/discord/ops/${SECRET}`, body);
    await relay.queue.idle();

    // Assess
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
    const message = relay.standIn!.messages.at(-1)!;
    expect(message.spaceId).toBe('space-ops');
    expect(message.bodyText).toContain('🔥 FIRING · [FIRING:1]  (val1)');
    expect(message.bodyText).toContain('<ul><li>alertname = alert1</li><li>lbl1 = val1</li></ul>');
    expect(message.data).toEqual([expect.objectContaining({ name: 'panel.png', fileType: 'image', fileSize: IMAGE.length })]);
  });

  it('posts a Teams card once, however often the sender retries it, answering 200 1 each time', async () => {
    // Prepare
    const card = fixtureJson('teams', 'jenkins_completed_failed_messagecard.json');
    const before = relay.standIn!.messages.length;

    // Act
    const answers = [await post(`${relay.url}/hooks/teams/default/${SECRET}`, card), await post(`${relay.url}/hooks/teams/default/${SECRET}`, card)];
    await relay.queue.idle();

    // Assess
    expect(await Promise.all(answers.map(async (answer) => [answer.status, await answer.text()]))).toEqual([[200, '1'], [200, '1']]);
    const posted = relay.standIn!.messages.slice(before);
    expect(posted).toHaveLength(1);
    expect(posted[0]).toMatchObject({ spaceId: 'space-default', bodyText: expect.stringContaining('❌ FAILED · myFirst_Job_: Build #167 Failed') });
    expect(posted[0]!.bodyText).toContain('<a href="http://localhost/job/myFirst_Job_/167/display/redirect">View Build</a>');
  });

  it('refuses a wrong secret in the path, answering as Teams does, and never shows the secret', async () => {
    // Act
    const response = await post(`${relay.url}/hooks/teams/default/not-the-secret`, { title: 'x' });

    // Assess
    expect(response.status).toBe(401);
    expect(await response.text()).not.toContain('not-the-secret');
  });
});

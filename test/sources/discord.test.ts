import * as v from 'valibot';
import { ingestWebhook } from '../../lambda/ingest/intake';
import { toApiGateway } from '../../lambda/ingest/api-gateway';
import { renderMessage } from '../../lambda/render/body-text';
import { discord, DiscordSchema } from '../../lambda/sources/discord';
import { fixtureBytes, fixtureJson, fixtureNames, webhookRequest } from '../support/fixtures';
import { testIntake } from '../support/intake';
import { visibleText } from '../support/render-text';
import { unshownWhile } from '../support/unshown';

const SECRET = 'inbound-secret';
const say = (payload: unknown) => discord.toMessages(v.parse(DiscordSchema, payload), undefined)[0]!;

/** Each fixture with the status and title it is said with. */
const CASES: readonly (readonly [fixture: string, status: string, title: string])[] = [
  ['actions_status_discord_failure.json', 'failure', 'Failure: build'],
  ['alertmanager_content_embed_test.json', 'failure', 'Test Title'],
  ['grafana_firing_with_image.json', 'firing', '[FIRING:1]  (val1)'],
  ['populated_webhook_gist.json', 'info', 'My Title!'],
  ['uptime_kuma_down.json', 'failure', '❌ Your service payments-api went down. ❌'],
];

describe('discord source', () => {
  it.each(CASES)('accepts and renders %s', (name, status, title) => {
    // Act
    const message = say(fixtureJson('discord', name));

    // Assess
    expect(message).toMatchObject({ source: 'discord', status, title });
    expect(renderMessage(message).join('')).toContain(title);
  });

  it('has a case above for every fixture', () => {
    expect(CASES.map(([fixture]) => fixture).sort()).toEqual(fixtureNames('discord'));
  });

  it('shows the username as the sender, then content, author, description, fields and footer in order', () => {
    // Act
    const message = say(fixtureJson('discord', 'populated_webhook_gist.json'));

    // Assess
    expect(message.fields).toEqual([]);
    expect(message.markup).toEqual([
      '<p>Hello, world!</p>',
      '<p><i><a href="https://example.com/">My Author!</a></i></p>',
      '<p>My Description!</p>',
      '<p><b>My First Field Name</b>: My First Field Value<br><b>My Second Field Name</b>: My Second Field Value</p>',
      '<p><i>Footer Text · 2018-01-18 16:40 UTC</i></p>',
    ]);
    expect(message.links[0]).toEqual({ label: 'My Title!', url: 'https://example.com/' });
    expect(say({ content: 'hi', username: 'Grafana' }).fields).toEqual([{ name: 'From', value: 'Grafana' }]);
  });

  it('converts markdown in fields and shows Discord timestamps as times', () => {
    // Act
    const html = renderMessage(say(fixtureJson('discord', 'actions_status_discord_failure.json'))).join('');
    const kuma = visibleText(say(fixtureJson('discord', 'uptime_kuma_down.json')));

    // Assess
    expect(html).toContain('<b>Event</b>: Push: <a href="https://github.com/octo-org/payments/commit/1a2b3c4d5e6f"><code>1a2b3c4</code></a> Fix the <b>retry</b> loop');
    expect(kuma).toContain('Went Offline: 2025-03-14 09:26 UTC');
    expect(kuma).not.toContain('<t:');
  });

  it('attaches embed images as URL attachments that must be images, and gives later embeds their own heading', () => {
    // Act
    const message = say(fixtureJson('discord', 'grafana_firing_with_image.json'));

    // Assess
    expect(message.attachments).toEqual([{ kind: 'url', url: 'https://www.example.com/test-image-1.jpg', accept: 'image/' }]);
    expect(message.links.map((link) => link.label)).toEqual(['[FIRING:1]  (val1)', 'Image']);
    expect(message.markup).toContain('<p><b>alert1</b></p>');
  });

  it('titles a content-only message with its text, and reads the embed colour as a status', () => {
    expect(say({ content: '**Deploy** of `api` done' })).toMatchObject({ title: 'Deploy of api done', status: 'info' });
    expect(say({ embeds: [{ description: 'ok', color: 0x2ecc71 }] }).status).toBe('success');
    expect(say({ embeds: [{ title: '[RESOLVED] Disk', color: 0x992d22 }] }).status).toBe('resolved');
  });

  it('escapes the payload, never links a javascript: URL, and counts what it leaves out', () => {
    // Prepare
    const payload = {
      content: '<@123> <script>x</script> [go](javascript:alert(1))',
      embeds: [{ title: 't', url: 'javascript:alert(2)', image: { url: 'attachment://shot.png' } }],
    };

    // Act
    const { result: message, total, byKind } = unshownWhile(() => say(payload));
    const html = renderMessage(message).join('');

    // Assess
    expect(html).toContain('@123 &lt;script&gt;x&lt;/script&gt; go');
    expect(html).not.toMatch(/javascript:|<script|attachment:/);
    // The content's link and the embed's target.
    expect({ total, byKind }).toEqual({ total: 3, byKind: { 'unsafe-link': 2, image: 1 } });
  });

  it.each([
    ['nothing to show', { content: '  ', embeds: [] }, 'content'],
    ['a colour that is text', { embeds: [{ color: 'red' }] }, 'embeds.0.color'],
    ['eleven embeds', { embeds: Array.from({ length: 11 }, () => ({ title: 'x' })) }, 'embeds'],
  ])('rejects %s, naming the field', (_name, payload, field) => {
    // Act
    const result = v.safeParse(DiscordSchema, payload);

    // Assess
    expect(result.success).toBe(false);
    expect(v.getDotPath(result.issues![0]!)).toBe(field);
  });

  it('keys a retried identical body to one delivery, another body to another', () => {
    // Prepare
    const body = fixtureJson('discord', 'uptime_kuma_down.json');

    // Act
    const first = discord.deliveryKey(v.parse(DiscordSchema, body));
    const again = discord.deliveryKey(v.parse(DiscordSchema, JSON.parse(JSON.stringify(body))));
    const other = discord.deliveryKey(v.parse(DiscordSchema, { ...body, content: 'again' }));

    // Assess
    expect(again).toBe(first);
    expect(other).not.toBe(first);
  });

  describe('over HTTP', () => {
    const post = (path: string, body: Buffer | string) => {
      const { deps, queued } = testIntake({ secret: SECRET });
      return { queued, answer: ingestWebhook(webhookRequest(path, body), deps) };
    };

    it('answers 204 without a body, as Discord does, with the secret in the path', async () => {
      // Act
      const { answer, queued } = post(`/hooks/discord/default/${SECRET}`, fixtureBytes('discord', 'grafana_firing_with_image.json'));

      // Assess
      expect(toApiGateway(await answer)).toMatchObject({ statusCode: 204, body: '' });
      expect(queued).toHaveLength(1);
      expect(queued[0]!.message).toMatchObject({ source: 'discord', status: 'firing' });
    });

    it('answers a message with nothing to show as Discord does, 50006', async () => {
      // Act
      const { answer, queued } = post(`/hooks/discord/default/${SECRET}`, '{"content":""}');

      // Assess
      const response = toApiGateway(await answer);
      expect(response.statusCode).toBe(400);
      expect(JSON.parse(response.body!)).toEqual({ message: 'Cannot send an empty message', code: 50006 });
      expect(queued).toEqual([]);
    });
  });
});

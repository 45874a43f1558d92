import * as v from 'valibot';
import { ingestWebhook } from '../../lambda/ingest/intake';
import { renderMessage } from '../../lambda/render/body-text';
import { countTotals } from '../../lambda/runtime/metrics';
import { slack, SlackSchema } from '../../lambda/sources/slack';
import { toApiGateway } from '../../lambda/ingest/api-gateway';
import { fixtureBytes, fixtureJson, fixtureNames, webhookRequest } from '../support/fixtures';
import { testIntake } from '../support/intake';
import { captured, loadVerbose } from '../support/logs';
import { visibleText } from '../support/render-text';

const SECRET = 'slack-path-secret-0123';
const auth = { Authorization: `Bearer ${SECRET}` };
const messageOf = (name: string) => slack.toMessages(v.parse(SlackSchema, fixtureJson('slack', name)), undefined)[0]!;

describe('slack source', () => {
  it.each(fixtureNames('slack'))('accepts and renders %s', (name) => {
    // Act
    const message = messageOf(name);

    // Assess: a title, and every part well within what the fixture says
    expect(message.title).not.toBe('');
    expect(renderMessage(message).join('')).not.toMatch(/<(script|mention|img)/);
    expect(message.markup!.length).toBeGreaterThan(0);
  });

  it('shows Alertmanager’s firing and resolved posts as firing and resolved, with its fields, text and buttons', () => {
    // Act
    const firing = messageOf('alertmanager_firing_capture.json');
    const resolved = messageOf('alertmanager_resolved_capture.json');

    // Assess
    expect(firing).toMatchObject({ status: 'firing', title: '[FIRING:1] DiskAlmostFull (db-1 critical)' });
    expect(resolved.status).toBe('resolved');
    expect(firing.links).toEqual([
      { label: 'Details', url: 'http://vm:18556/#/alerts?receiver=relay' },
      { label: 'Runbook 📘', url: 'https://runbooks.example.com/disk' },
    ]);
    const html = renderMessage(firing).join('');
    expect(html).toContain('<p><b>Disk on db-1 is 95% full</b> 🔥</p><blockquote>Only 5% of /var/lib/postgresql is free &amp; falling</blockquote>');
    expect(html).toContain('<ul><li>instance: <code>db-1</code></li></ul>');
    expect(html).toContain('<b>Severity</b>: critical · <b>Team</b>: storage');
  });

  it('shows a legacy attachment: colour, fields side by side, footer and time, image attached through the URL fetch', () => {
    // Act
    const message = messageOf('grafana_v4_test_notification_issue.json');

    // Assess
    expect(message.status).toBe('firing');
    expect(message.attachments).toEqual([{ kind: 'url', url: 'http://grafana.org/assets/img/blog/mixed_styles.png', accept: 'image/' }]);
    expect(visibleText(message)).toContain('High value: 100 · Higher Value: 200');
    expect(visibleText(message)).toContain('Grafana v4.4.1 · 2017-09-12 13:22 UTC');
  });

  it('shows Block Kit: the header as the title, sections, fields, context, divider, image and URL buttons', () => {
    // Act
    const taskbot = messageOf('block_kit_taskbot_template_zulip.json');
    const kuma = messageOf('uptime_kuma_down_from_code.json');

    // Assess
    expect(taskbot.title).toBe('Hello from TaskBot');
    expect(taskbot.attachments).toEqual([{ kind: 'url', url: 'https://api.slack.com/img/blocks/bkb_template_images/onboardingComplex.jpg', accept: 'image/' }]);
    expect(taskbot.markup).toContain('<p>──────────</p>');
    expect(taskbot.markup!.join('')).toContain('<p><i>👀 View all tasks with <code>/task list</code> · ');
    expect(kuma).toMatchObject({ status: 'failure', title: 'Uptime Kuma Alert', links: [{ label: 'Visit Uptime Kuma', url: 'https://status.example.com/dashboard/7' }] });
  });

  it('shows rich text with its styles, lists, quotes and code, mentions as plain words', () => {
    // Prepare
    const payload = v.parse(SlackSchema, {
      blocks: [
        {
          type: 'rich_text',
          elements: [
            {
              type: 'rich_text_section',
              elements: [
                { type: 'text', text: 'Deploy ', style: { bold: true } },
                { type: 'link', url: 'https://ci.example/1', text: '#1' },
                { type: 'text', text: ' by ' },
                { type: 'user', user_id: 'U123' },
                { type: 'broadcast', range: 'here' },
                { type: 'emoji', name: 'rocket' },
                { type: 'link', url: 'javascript:alert(1)', text: 'bad' },
              ],
            },
            { type: 'rich_text_list', style: 'ordered', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'step <1>' }] }] },
            { type: 'rich_text_quote', elements: [{ type: 'text', text: 'quoted' }] },
            { type: 'rich_text_preformatted', elements: [{ type: 'text', text: 'a\nb' }] },
          ],
        },
      ],
    });

    // Act
    const [message] = slack.toMessages(payload, undefined);

    // Assess
    expect(message!.markup).toEqual([
      '<p><b>Deploy </b><a href="https://ci.example/1">#1</a> by @U123@here🚀bad</p>',
      '<ol><li>step &lt;1&gt;</li></ol>',
      '<blockquote>quoted</blockquote>',
      '<pre>a\nb</pre>',
    ]);
  });

  it.each([
    ['an unknown name written in code points', { name: 'party_blob', unicode: '1f973' }, '🥳'],
    ['a family joined by zero-width joiners', { name: 'family_x', unicode: '1f468-200d-1f469-200d-1f467' }, '👨‍👩‍👧'],
    ['code points that write markup', { name: 'tag_blob', unicode: '3c-6d-65-6e-74-69-6f-6e-3e' }, ':tag_blob:'],
    ['a lone surrogate', { name: 'half', unicode: 'd800' }, ':half:'],
    ['a control character', { name: 'ding_blob', unicode: '7' }, ':ding_blob:'],
    ['a code point past Unicode', { name: 'far', unicode: '110000' }, ':far:'],
    ['code points that are not hexadecimal', { name: 'odd', unicode: '1f973-zz' }, ':odd:'],
  ])('shows a rich-text emoji of %s as an emoji, or else as its name', (_case, emoji, shown) => {
    // Prepare
    const section = { type: 'rich_text_section', elements: [{ type: 'emoji', ...emoji }] };
    const payload = v.parse(SlackSchema, { blocks: [{ type: 'rich_text', elements: [section] }] });

    // Act
    const [message] = slack.toMessages(payload, undefined);

    // Assess
    expect(message!.markup).toEqual([`<p>${shown}</p>`]);
  });

  it.each([
    [1618953630, '2021-04-20 21:20 UTC'],
    [1e20, '100000000000000000000'],
    [-1e15, '-1000000000000000'],
  ])('shows a rich-text date element without fallback, %s, as a time when it is one', (timestamp, shown) => {
    // Prepare
    const section = { type: 'rich_text_section', elements: [{ type: 'date', timestamp }] };
    const payload = v.parse(SlackSchema, { blocks: [{ type: 'rich_text', elements: [section] }] });

    // Act
    const [message] = slack.toMessages(payload, undefined);

    // Assess
    expect(message!.markup).toEqual([`<p>${shown}</p>`]);
  });

  it('leaves out quietly what a chat post cannot show, and counts it', () => {
    // Prepare
    const before = countTotals().unshown ?? 0;
    const payload = v.parse(SlackSchema, { text: 'x', blocks: [{ type: 'input', element: {} }, { type: 'section', text: { type: 'mrkdwn', text: 'kept' } }, { type: 'video' }] });

    // Act
    const [message] = slack.toMessages(payload, undefined);

    // Assess
    expect(message!.markup).toEqual(['<p>kept</p>']);
    expect((countTotals().unshown ?? 0) - before).toBe(2);
  });

  it('never makes a link or a file of a javascript: URL', () => {
    // Prepare
    const payload = v.parse(SlackSchema, {
      text: '<javascript:alert(1)|click>',
      attachments: [{ title: 't', title_link: 'javascript:alert(2)', image_url: 'javascript:alert(3)', actions: [{ text: 'go', url: 'javascript:alert(4)' }] }],
    });

    // Act
    const [message] = slack.toMessages(payload, undefined);

    // Assess
    expect(JSON.stringify(message)).not.toMatch(/href="javascript|"url":"javascript/);
    expect(message!.attachments).toEqual([]);
    expect(renderMessage(message!).join('')).not.toContain('javascript:');
  });

  describe('through ingest', () => {
    const setup = () => testIntake({ secret: SECRET, channels: ['ops'] });

    it('answers 200 ok as Slack does and queues one message, with the secret as the last path segment', async () => {
      // Prepare
      const { deps, queued } = setup();

      // Act
      const answer = await ingestWebhook(webhookRequest(`/hooks/slack/ops/${SECRET}`, fixtureBytes('slack', 'alertmanager_firing_capture.json')), deps);

      // Assess
      expect(toApiGateway(answer)).toMatchObject({ statusCode: 200, body: 'ok', headers: { 'content-type': 'text/plain; charset=utf-8' } });
      expect(queued).toHaveLength(1);
      expect(queued[0]).toMatchObject({ channel: 'ops', message: { source: 'slack', status: 'firing' } });
    });

    it('answers as Slack does at POST /hooks too, once the body tells it is a Slack post: 200 ok, or invalid_payload', async () => {
      // Prepare
      const { deps, queued } = setup();
      const json = { ...auth, 'Content-Type': 'application/json' };

      // Act
      const ok = await ingestWebhook(webhookRequest('/hooks', fixtureBytes('slack', 'alertmanager_firing_capture.json'), json), deps);
      const empty = await ingestWebhook(webhookRequest('/hooks', JSON.stringify({ text: '', blocks: [] }), json), deps);

      // Assess
      expect(queued.map((n) => n.message.source)).toEqual(['slack']);
      expect(toApiGateway(ok)).toMatchObject({ statusCode: 200, body: 'ok' });
      expect(toApiGateway(empty)).toMatchObject({ statusCode: 400, body: expect.stringMatching(/^(invalid_payload|no_text)/) });
    });

    it('takes the secret as Bearer too, and the legacy form body payload=<json>', async () => {
      // Prepare
      const { deps, queued } = setup();
      const form = { ...auth, 'Content-Type': 'application/x-www-form-urlencoded' };

      // Act
      const answer = await ingestWebhook(webhookRequest('/hooks/slack', fixtureBytes('slack', 'slackistrano_deploy_zulip.form'), form), deps);

      // Assess
      expect(answer.statusCode).toBe(200);
      expect(queued[0]!.message).toMatchObject({ title: 'DeployBot', markup: ['<p>chris has started deploying project tag v0.0.2rc10 to staging</p>'] });
    });

    it('takes JSON sent with a form content type, as curl -d sends it', async () => {
      // Prepare
      const { deps, queued } = setup();

      // Act
      const answer = await ingestWebhook(
        webhookRequest(`/hooks/slack/default/${SECRET}`, '{"text":"a+b *bold*"}', { 'Content-Type': 'application/x-www-form-urlencoded' }),
        deps,
      );

      // Assess
      expect(answer.statusCode).toBe(200);
      expect(queued[0]!.message.markup).toEqual(['<p>a+b <b>bold</b></p>']);
    });

    it.each([
      ['nothing to post', '{"text":"  "}', 400, 'no_text'],
      ['a malformed payload', '{"text": 5}', 400, 'invalid_payload'],
      ['a body that is no JSON', 'text=hello', 400, 'invalid_payload'],
    ])('answers %s as Slack does', async (_, body, status, word) => {
      // Prepare
      const { deps, queued } = setup();

      // Act
      const answer = toApiGateway(await ingestWebhook(webhookRequest(`/hooks/slack/default/${SECRET}`, body), deps));

      // Assess
      expect(answer).toMatchObject({ statusCode: status, body: word });
      expect(queued).toHaveLength(0);
    });

    it('answers a wrong secret in the path 403 invalid_token, without writing it anywhere', async () => {
      // Prepare: the relay's modules with a logger that writes everything
      const verbose = loadVerbose(() => ({
        intake: require('../../lambda/ingest/intake') as typeof import('../../lambda/ingest/intake'),
        gateway: require('../../lambda/ingest/api-gateway') as typeof import('../../lambda/ingest/api-gateway'),
      }));
      const { deps, queued } = setup();
      const guess = 'guessed-secret-9876';
      let answer: ReturnType<typeof toApiGateway> | undefined;

      // Act
      const lines = await captured(async () => {
        answer = verbose.gateway.toApiGateway(await verbose.intake.ingestWebhook(webhookRequest(`/hooks/slack/ops/${guess}`, '{"text":"x"}'), deps));
      });

      // Assess
      expect(answer).toMatchObject({ statusCode: 403, body: 'invalid_token' });
      expect(lines.join('')).toContain('/hooks/slack/ops/[redacted]');
      expect(lines.join('')).not.toContain(guess);
      expect(queued).toHaveLength(0);
    });

    it('takes a retried identical post as the same notification, and another post as another', async () => {
      // Prepare
      const { deps, queued } = setup();
      const post = (body: string) => ingestWebhook(webhookRequest(`/hooks/slack/default/${SECRET}`, body), deps);

      // Act
      await post('{"text":"deploy done"}');
      await post('{"text":"deploy done"}');
      await post('{"text":"deploy failed"}');

      // Assess
      const [first, retry, other] = queued.map((n) => n.deliveryKey);
      expect(first).toMatch(/^slack:/);
      expect(retry).toBe(first);
      expect(other).not.toBe(first);
    });
  });
});

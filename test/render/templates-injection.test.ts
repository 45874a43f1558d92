/**
 * Templates cannot be tricked into passing markup: payload values with tags, entities, Liquid syntax or the relay's
 * own bold marks, printed by templates in every way Liquid prints, come out as text. Driven through the relay's own
 * handlers (`npm start`'s), from webhook to the posted bodyText, and through deliver's event dispatch.
 */
import type * as LocalServer from '../../lambda/local/server';
import type { LocalRelay } from '../../lambda/local/server';
import { BOLD_END, BOLD_START } from '../../lambda/render/markup';
import { renderMessage } from '../../lambda/render/body-text';
import { notificationsFromRecord } from '../../lambda/deliver/queue-records';
import { resolveSourceSettings } from '../../lambda/sources/settings';
import { checkTemplates, type CompiledTemplates } from '../../lambda/render/templates';
import { SOURCES } from '../../lambda/sources';
import { fixtureJson } from '../support/fixtures';
import { captured, loadVerbose, logRecords } from '../support/logs';
import { sendHook, startTestRelay } from '../support/relay';

/** Values a sender could put anywhere in a payload to smuggle markup through a template. */
const HOSTILE = [
  '<script>alert(1)</script>',
  '<b>bold</b><mention user="all">',
  '&lt;b&gt; &amp;',
  `${BOLD_START}marked${BOLD_END}`,
  `${BOLD_END}</b><img src=x onerror=alert(1)>${BOLD_START}`,
  '{{ payload.text }}{% raw %}',
  '"><a href="javascript:alert(1)">x</a>',
].join(' ');

/** The tags the renderer writes; nothing else may appear in a bodyText. */
const RENDERER_TAGS = new Set(['p', '/p', 'b', '/b', 'i', '/i', 'br', 'ul', '/ul', 'li', '/li', 'a', '/a']);

/** The tag names of a bodyText, in order. */
const tagsOf = (html: string): string[] => [...html.matchAll(/<(\/?[a-z]+)/gi)].map((match) => match[1]!.toLowerCase());

/** Every way a template prints a value: output, filters, raw, echo, capture, loops, bold, in every part. */
const PRINTING_TEMPLATES = {
  generic: {
    title: '{{ payload.title | raw }} {{ payload.title | upcase | raw }} {% echo payload.title %} {{ payload.title }}',
    summary:
      '{% raw %}<b>literal</b>{% endraw %} {% capture c %}{{ payload.text }}{% endcapture %}{{ c }} {{ payload.text | bold }} {{ payload.fields | bold }} ' +
      '{% for f in message.fields %}{{ f.value }}{% endfor %} {% liquid echo payload.text %}',
    fields: [{ name: '{{ payload.title }}', value: '{{ payload.text | escape }} {{ payload.text | strip_html | bold }}' }, '*'],
    link: '{{ link.label | append: payload.title }}',
  },
};

const GENERIC_PAYLOAD = {
  title: HOSTILE,
  text: HOSTILE,
  status: 'firing',
  severity: HOSTILE,
  fields: { [HOSTILE]: HOSTILE },
  links: [{ label: HOSTILE, url: 'https://example.com/a' }],
};

/** The bold a template asked for: every `| bold` output, nothing from the payload. */
function expectOnlyRendererTags(html: string): void {
  const tags = tagsOf(html);
  expect(tags.filter((tag) => !RENDERER_TAGS.has(tag))).toEqual([]);
  expect(html).not.toMatch(/<script|<mention|<img|href="javascript/i);
  expect(html).not.toMatch(/[\u{F0000}\u{F0001}]/u);
  // The payload's own marks never became bold.
  expect(html).not.toMatch(/<b>marked|<b>&lt;img/);
  // Tags balance: payload marks can neither open bold nor close the renderer's.
  for (const tag of ['b', 'i', 'p', 'a', 'ul', 'li']) expect(tags.filter((t) => t === tag).length).toBe(tags.filter((t) => t === `/${tag}`).length);
}

describe('template injection', () => {
  let relay: LocalRelay;

  beforeAll(async () => {
    relay = await startTestRelay({ settings: { TEMPLATES: JSON.stringify(PRINTING_TEMPLATES) } });
  });
  afterAll(() => relay.close());

  it('prints payload markup as text in every part, however the template prints it', async () => {
    // Act
    const status = await sendHook(relay, '/hooks/generic', GENERIC_PAYLOAD);
    await relay.queue.idle();

    // Assess
    expect(status).toBe(202);
    const html = relay.standIn!.messages.at(-1)!.bodyText;
    expectOnlyRendererTags(html);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('{{ payload.text }}{% raw %}');
    expect(html).toContain('&lt;b&gt;literal&lt;/b&gt;');
    // `| bold` makes bold text of a payload value, and nothing more.
    expect(html).toContain('<b>&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;bold&lt;/b&gt;');
  });

  it('clears the marks from payloads of a source without templates', async () => {
    // Act
    const group = fixtureJson('alertmanager', 'firing_single_alert_capture.json');
    group.alerts[0].annotations.summary = HOSTILE;
    await sendHook(relay, '/hooks/alertmanager', group);
    await relay.queue.idle();

    // Assess
    const html = relay.standIn!.messages.at(-1)!.bodyText;
    expectOnlyRendererTags(html);
    expect(html).toContain('marked');
  });

  it('prints an AWS event’s markup as text, said as deliver reads it from the queue', () => {
    // Prepare
    const templates = compiled({
      codepipeline: { title: '{{ payload.detail.pipeline | bold }} {{ payload.detail.pipeline | raw }}', summary: '{{ payload.detail | raw }}' },
    });
    const event = fixtureJson('aws_codepipeline', 'pipeline_execution_state_change_failed.json');
    event.detail.pipeline = HOSTILE;

    // Act
    const notifications = notificationsFromRecord(JSON.stringify(event), resolveSourceSettings({}), new Date(), { templates });

    // Assess
    expect(notifications).toHaveLength(1);
    for (const { message } of notifications) expectOnlyRendererTags(renderMessage(message).join(''));
  });

  it('posts the message when a template fails on a payload, with one warning naming the template', async () => {
    // Prepare
    const { startLocalRelay } = loadVerbose(() => require('../../lambda/local/server') as typeof LocalServer);
    const own = await startTestRelay({ settings: { TEMPLATES: JSON.stringify({ generic: { title: '{% for i in (1..100000000) %}{% endfor %}' } }) } }, startLocalRelay);

    // Act
    const lines = await captured(async () => {
      await sendHook(own, '/hooks/generic', { text: 'no title here' });
      await own.queue.idle();
    });
    const html = own.standIn!.messages.at(-1)!.bodyText;
    await own.close();

    // Assess
    expect(html).toMatch(/^<p><b>ℹ️ INFO · Message<\/b><\/p><p>no title here<\/p>/);
    const warnings = logRecords(lines).filter((record) => record.message === 'template failed, the part reads as the source says it');
    expect(warnings).toEqual([
      expect.objectContaining({ level: 'WARN', template: 'generic.title', problem: 'line 1, column 1: memory alloc limit exceeded' }),
    ]);
  });

  it('writes a template’s own markup-looking text as text', async () => {
    // Prepare
    const own = await startTestRelay({
      settings: { TEMPLATES: JSON.stringify({ generic: { title: '<b>{{ payload.text }}</b> &amp; <br> <mention />', summary: `${BOLD_START}x` } }) },
    });

    // Act
    await sendHook(own, '/hooks/generic', { text: 'plain' });
    await own.queue.idle();
    const html = own.standIn!.messages.at(-1)!.bodyText;
    await own.close();

    // Assess
    expect(html).toContain('&lt;b&gt;plain&lt;/b&gt; &amp;amp; &lt;br&gt; &lt;mention /&gt;');
    expectOnlyRendererTags(html);
  });
});

function compiled(raw: unknown): CompiledTemplates {
  const checked = checkTemplates(raw, SOURCES.map((source) => source.name));
  if (!checked.ok) throw new Error(JSON.stringify(checked.problems));
  return checked.templates;
}

import { ingestWebhook } from '../../lambda/ingest/intake';
import { chatMessage } from '../../lambda/model/message';
import { MAX_QUEUED_BYTES, MAX_URL_CHARS, notificationsFor, toNotification } from '../../lambda/model/notification';
import { MAX_PARTS, renderMessage } from '../../lambda/render/body-text';
import { testIntake } from '../support/intake';

/** What SQS accepts in one message. */
const SQS_MAX_BYTES = 256 * 1024;
const queuedSize = (value: unknown): number => Buffer.byteLength(JSON.stringify(value));

const base = { id: 'id', deliveryKey: 'k', receivedAt: '2026-01-01T00:00:00Z', channel: 'default' };

describe('toNotifications', () => {
  it('keeps a normal message in one notification with the sender’s key', () => {
    const only = toNotification(chatMessage({ source: 's', status: 'info', title: 't' }), base);

    expect(only).toMatchObject({ v: 1, deliveryKey: 'k', message: { title: 't' } });
  });

  it('queues a group too big for one queue message as one notification: what the renderer shows, the rest counted by status', () => {
    // Prepare
    const items = Array.from({ length: 600 }, (_, i) => ({
      status: i % 3 === 0 ? ('resolved' as const) : ('firing' as const),
      title: `alert ${i}`,
      summary: 'x'.repeat(1000),
      fields: [{ name: 'instance', value: `host-${i}` }],
      links: [],
    }));
    const message = chatMessage({ source: 's', status: 'firing', title: 't', items, omitted: 3, attachments: [{ kind: 'url', url: 'https://a.example/p.png' }] });

    // Act
    const queued = toNotification(message, base);

    // Assess: the sender's key, the files, the first items, and every item either queued or counted.
    expect(queuedSize(queued)).toBeLessThan(MAX_QUEUED_BYTES);
    expect(queued.deliveryKey).toBe('k');
    expect(queued.message.attachments).toHaveLength(1);
    const titles = queued.message.items.map((item) => item.title);
    expect(titles).toEqual(items.slice(0, titles.length).map((item) => item.title));
    expect(queued.message.omitted).toBe(3 + 600 - titles.length);
    const left = items.slice(titles.length);
    expect(queued.message.omittedByStatus).toEqual(
      expect.arrayContaining([
        { status: 'firing', count: left.filter((i) => i.status === 'firing').length },
        { status: 'resolved', count: left.filter((i) => i.status === 'resolved').length },
      ]),
    );
    // Rendered, it is what the whole group would have been: at most MAX_PARTS posts.
    expect(renderMessage(queued.message)).toEqual(renderMessage(message));
    expect(renderMessage(queued.message)).toHaveLength(MAX_PARTS);
  });

  it('never cuts a long value between the halves of an emoji', () => {
    const title = `${'x'.repeat(3999)}😀${'y'.repeat(100)}`;

    const n = toNotification(chatMessage({ source: 's', status: 'info', title }), base);

    expect(n!.message.title).toBe(`${'x'.repeat(3999)}…`);
    expect(n!.message.title).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('cuts absurdly long values but never URLs', () => {
    const url = `https://example.com/${'a'.repeat(5000)}`;
    const n = toNotification(chatMessage({ source: 's', status: 'info', title: 'x'.repeat(10_000), links: [{ label: 'l', url }] }), base);

    expect(n!.message.title.length).toBe(4001);
    expect(n!.message.links[0]!.url).toBe(url);
  });
});

describe('queued messages always fit', () => {
  it('keeps a 1 MB link sent through ingest as text cut short, and queues well under the SQS limit', async () => {
    // Prepare
    const intake = testIntake();
    const link = `https://dashboards.example.com/d/abc?${'var-host=node&'.repeat(71_400)}`;
    const body = JSON.stringify({ title: 'Disk full', text: 'see the dashboard', links: [{ label: 'Dashboard', url: link }] });

    // Act
    const answer = await ingestWebhook(
      { method: 'POST', path: '/hooks/generic', headers: { 'content-type': 'application/json' }, body: Buffer.from(body) },
      intake.deps,
    );

    // Assess
    expect(link.length).toBeGreaterThan(999_000);
    expect(answer.statusCode).toBe(202);
    const [queued] = intake.queued;
    expect(queuedSize(queued)).toBeLessThan(MAX_QUEUED_BYTES);
    expect(queuedSize(queued)).toBeLessThan(SQS_MAX_BYTES);
    expect(queued!.message.links).toEqual([]);
    expect(queued!.message.fields).toEqual([{ name: 'Dashboard', value: `${link.slice(0, 4_000)}…` }]);
  });

  it('leaves out a file whose address is too long to fetch, and says so', () => {
    // Prepare
    const url = `https://grafana.example.com/render/${'a'.repeat(MAX_URL_CHARS)}.png`;

    // Act
    const n = toNotification(chatMessage({ source: 'grafana', status: 'firing', title: 't', attachments: [{ kind: 'url', url, name: 'panel.png' }] }), base);

    // Assess
    expect(n!.message.attachments).toEqual([]);
    expect(n!.message.fields).toEqual([{ name: 'Not attached', value: `panel.png: its address is ${url.length} characters long (at most ${MAX_URL_CHARS})` }]);
  });

  it('fits a message with thousands of long fields, cutting values first and then saying how many are not shown', () => {
    // Prepare
    const fields = Array.from({ length: 5_000 }, (_, i) => ({ name: `label_${i}`, value: 'v'.repeat(3_000) }));

    // Act
    const queued = toNotification(chatMessage({ source: 'alertmanager', status: 'firing', title: 'Storm', fields }), base);

    // Assess
    expect(queuedSize(queued)).toBeLessThan(MAX_QUEUED_BYTES);
    const shown = queued.message.fields;
    expect(shown.at(-1)).toEqual({ name: 'Not shown', value: `${5_000 - (shown.length - 1)} more fields and links` });
    expect(shown[0]!.value.length).toBeLessThan(100);
  });

  it('fits an item too large for a queue message of its own', () => {
    // Prepare
    const item = { status: 'firing' as const, title: 'one alert', fields: Array.from({ length: 400 }, (_, i) => ({ name: `l${i}`, value: 'x'.repeat(4_000) })), links: [] };

    // Act
    const queued = toNotification(chatMessage({ source: 'alertmanager', status: 'firing', title: 'Group', items: [item, { ...item, title: 'two' }] }), base);

    // Assess
    expect(queuedSize(queued)).toBeLessThan(MAX_QUEUED_BYTES);
    expect(queued.message.items.map((i) => i.title)).toEqual(['one alert', 'two']);
  });
});

describe('notificationsFor', () => {
  it('numbers the keys of several messages and lets a message pick its channel', () => {
    const messages = [
      chatMessage({ source: 's', status: 'info', title: 'a' }),
      chatMessage({ source: 's', status: 'info', title: 'b', channel: 'ops' }),
    ];

    const notifications = notificationsFor(messages, base);

    expect(notifications.map((n) => [n.deliveryKey, n.channel])).toEqual([
      ['k/1', 'default'],
      ['k/2', 'ops'],
    ]);
  });
});

describe('toNotification with markup', () => {
  it('keeps the markup the parts can show and cuts the block that crosses the budget between tags', () => {
    // Prepare: 300 KB of blocks, more than a queue message holds
    const block = `<p><b>${'x'.repeat(995)}</b></p>`;
    const message = chatMessage({ source: 's', status: 'info', title: 't', markup: Array.from({ length: 300 }, () => block) });

    // Act
    const queued = toNotification(message, base);

    // Assess
    expect(queuedSize(queued)).toBeLessThan(MAX_QUEUED_BYTES);
    const markup = queued.message.markup!;
    expect(markup.length).toBeLessThan(300);
    expect(markup.length).toBeGreaterThan(40);
    expect(markup.at(-1)).toMatch(/^<p><b>x*…<\/b><\/p>$/);
  });
});

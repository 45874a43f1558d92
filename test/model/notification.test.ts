import { ingestWebhook } from '../../lambda/ingest/intake';
import { chatMessage } from '../../lambda/model/message';
import { MAX_QUEUED_BYTES, MAX_URL_CHARS, notificationsFor, toNotifications } from '../../lambda/model/notification';
import { testIntake } from '../support/intake';

/** What SQS accepts in one message. */
const SQS_MAX_BYTES = 256 * 1024;
const queuedSize = (value: unknown): number => Buffer.byteLength(JSON.stringify(value));

const base = { id: 'id', deliveryKey: 'k', receivedAt: '2026-01-01T00:00:00Z', channel: 'default' };

describe('toNotifications', () => {
  it('keeps a normal message in one notification with the sender’s key', () => {
    const [only, ...rest] = toNotifications(chatMessage({ source: 's', status: 'info', title: 't' }), base);

    expect(rest).toHaveLength(0);
    expect(only).toMatchObject({ v: 1, deliveryKey: 'k', message: { title: 't' } });
  });

  it('spreads a group too big for one queue message over several, in order, with part keys', () => {
    const items = Array.from({ length: 600 }, (_, i) => ({
      status: 'firing' as const,
      title: `alert ${i}`,
      summary: 'x'.repeat(1000),
      fields: [],
      links: [],
    }));
    const message = chatMessage({ source: 's', status: 'firing', title: 't', items, omitted: 3, attachments: [{ kind: 'url', url: 'https://a.example/p.png' }] });

    const parts = toNotifications(message, base);

    expect(parts.length).toBeGreaterThan(2);
    for (const part of parts) expect(Buffer.byteLength(JSON.stringify(part))).toBeLessThan(MAX_QUEUED_BYTES + 1000);
    expect(parts.map((p) => p.deliveryKey)).toEqual(parts.map((_, i) => `k#${i + 1}`));
    expect(parts.flatMap((p) => p.message.items.map((item) => item.title))).toEqual(items.map((item) => item.title));
    expect(parts.map((p) => p.message.attachments.length)).toEqual([1, ...parts.slice(1).map(() => 0)]);
    expect(parts.at(-1)!.message.omitted).toBe(3);
    expect(parts[0]!.message.omitted).toBeUndefined();
  });

  it('never cuts a long value between the halves of an emoji', () => {
    const title = `${'x'.repeat(3999)}😀${'y'.repeat(100)}`;

    const [n] = toNotifications(chatMessage({ source: 's', status: 'info', title }), base);

    expect(n!.message.title).toBe(`${'x'.repeat(3999)}…`);
    expect(n!.message.title).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('cuts absurdly long values but never URLs', () => {
    const url = `https://example.com/${'a'.repeat(5000)}`;
    const [n] = toNotifications(chatMessage({ source: 's', status: 'info', title: 'x'.repeat(10_000), links: [{ label: 'l', url }] }), base);

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
    const [n] = toNotifications(chatMessage({ source: 'grafana', status: 'firing', title: 't', attachments: [{ kind: 'url', url, name: 'panel.png' }] }), base);

    // Assess
    expect(n!.message.attachments).toEqual([]);
    expect(n!.message.fields).toEqual([{ name: 'Not attached', value: `panel.png: its address is ${url.length} characters long (at most ${MAX_URL_CHARS})` }]);
  });

  it('fits a message with thousands of long fields, cutting values first and then saying how many are not shown', () => {
    // Prepare
    const fields = Array.from({ length: 5_000 }, (_, i) => ({ name: `label_${i}`, value: 'v'.repeat(3_000) }));

    // Act
    const parts = toNotifications(chatMessage({ source: 'alertmanager', status: 'firing', title: 'Storm', fields }), base);

    // Assess
    expect(parts).toHaveLength(1);
    expect(queuedSize(parts[0])).toBeLessThan(MAX_QUEUED_BYTES);
    const shown = parts[0]!.message.fields;
    expect(shown.at(-1)).toEqual({ name: 'Not shown', value: `${5_000 - (shown.length - 1)} more fields and links` });
    expect(shown[0]!.value.length).toBeLessThan(100);
  });

  it('fits an item too large for a queue message of its own', () => {
    // Prepare
    const item = { status: 'firing' as const, title: 'one alert', fields: Array.from({ length: 400 }, (_, i) => ({ name: `l${i}`, value: 'x'.repeat(4_000) })), links: [] };

    // Act
    const parts = toNotifications(chatMessage({ source: 'alertmanager', status: 'firing', title: 'Group', items: [item, { ...item, title: 'two' }] }), base);

    // Assess
    for (const part of parts) expect(queuedSize(part)).toBeLessThan(MAX_QUEUED_BYTES);
    expect(parts.flatMap((p) => p.message.items.map((i) => i.title))).toEqual(['one alert', 'two']);
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

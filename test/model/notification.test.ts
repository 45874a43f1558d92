import { chatMessage } from '../../lambda/model/message';
import { MAX_QUEUED_BYTES, notificationsFor, toNotifications } from '../../lambda/model/notification';

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

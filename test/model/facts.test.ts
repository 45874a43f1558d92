import { boundedFacts, knownFacts, MAX_FACTS_BYTES } from '../../lambda/model/facts';
import { chatMessage } from '../../lambda/model/message';
import { MAX_QUEUED_BYTES, toNotification } from '../../lambda/model/notification';

const base = { id: 'id', deliveryKey: 'k', receivedAt: '2026-01-01T00:00:00Z', channel: 'default' };
const size = (value: unknown): number => Buffer.byteLength(JSON.stringify(value));

describe('knownFacts', () => {
  it('leaves out what the sender did not give, and is undefined when it gave nothing', () => {
    // Act
    const some = knownFacts({ repository: 'acme/shop', branch: undefined, committer: '', annotations: {} });
    const none = knownFacts({ branch: undefined });

    // Assess
    expect(some).toEqual({ repository: 'acme/shop' });
    expect(Object.keys(some!)).toEqual(['repository']);
    expect(none).toBeUndefined();
  });
});

describe('boundedFacts', () => {
  it('keeps small facts as they are', () => {
    // Prepare
    const facts = { labels: { team: 'payments', severity: 'critical' }, branch: 'main', key: 'reports/a.csv' };

    // Act
    const bounded = boundedFacts(facts);

    // Assess
    expect(bounded).toEqual(facts);
  });

  it('cuts long values and huge maps to the budget, dropping annotations before labels', () => {
    // Prepare: a thousand labels and annotations of a kilobyte each.
    const many = (prefix: string) => Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`${prefix}${i}`, 'x'.repeat(1000)]));
    const facts = { labels: many('l'), annotations: many('a'), repository: 'r'.repeat(5000) };

    // Act
    const bounded = boundedFacts(facts);

    // Assess
    expect(size(bounded)).toBeLessThanOrEqual(MAX_FACTS_BYTES);
    expect(bounded.repository!.length).toBeLessThanOrEqual(257);
    expect(Object.keys(bounded.annotations!)).toHaveLength(0);
    expect(Object.keys(bounded.labels!).length).toBeGreaterThan(0);
    expect(Object.keys(bounded.labels!)[0]).toBe('l0');
  });
});

describe('facts in a queued notification', () => {
  it('are bounded apart from what the message shows, and the notification still fits a queue message', () => {
    // Prepare: fields and facts both far over their budgets.
    const labels = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`label${i}`, 'v'.repeat(300)]));
    const fields = Object.entries(labels).map(([name, value]) => ({ name, value }));
    const message = chatMessage({ source: 'alertmanager', status: 'firing', title: 't', fields, facts: { labels, branch: 'main' } });

    // Act
    const queued = toNotification(message, base);

    // Assess
    expect(size(queued)).toBeLessThan(MAX_QUEUED_BYTES);
    expect(size(queued.message.facts)).toBeLessThanOrEqual(MAX_FACTS_BYTES);
    expect(queued.message.facts).toMatchObject({ branch: 'main', labels: { label0: 'v'.repeat(256) + '…' } });
  });
});

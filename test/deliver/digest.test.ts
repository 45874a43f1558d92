import { digestMessage, isFoldable, MAX_DIGEST_LINES, packDigests, stormRuns } from '../../lambda/deliver/digest';
import { chatMessage, type ChatMessage } from '../../lambda/model/message';
import { MAX_BODY_BYTES, renderMessage, wireSize } from '../../lambda/render/body-text';

const alert = (n: number, extra: Partial<ChatMessage> = {}): ChatMessage =>
  chatMessage({
    source: 'alertmanager',
    status: n % 3 === 0 ? 'resolved' : 'firing',
    severity: 'critical',
    title: `HighLatency-${n}`,
    summary: 'p99 above 2 s for 10 minutes',
    fields: [{ name: 'instance', value: `api-${n}:9090` }, { name: 'job', value: 'api' }],
    links: [{ label: 'Runbook', url: 'https://runbooks.example.com/latency' }],
    ...extra,
  });

describe('stormRuns', () => {
  it('folds nothing below the threshold', () => {
    // Act
    const runs = stormRuns(Array.from({ length: 19 }, () => ({ spaceId: 'a', foldable: true })), 20);

    // Assess
    expect(runs).toEqual([]);
  });

  it('folds each space on its own, and breaks a run where a message that cannot be folded stands in queue order', () => {
    // Prepare: space a has 4 foldable with a file message in between; space b only 1.
    const candidates = [
      { spaceId: 'a', foldable: true },
      { spaceId: 'b', foldable: true },
      { spaceId: 'a', foldable: true },
      { spaceId: 'a', foldable: false },
      { spaceId: 'a', foldable: true },
      { spaceId: 'a', foldable: true },
    ];

    // Act
    const runs = stormRuns(candidates, 4);

    // Assess
    expect(runs).toEqual([
      [0, 2],
      [4, 5],
    ]);
  });
});

describe('digestMessage', () => {
  it('shows each original as one line: status mark, severity and title, key field, first link', () => {
    // Act
    const [html] = renderMessage(digestMessage([alert(1), alert(3)]));

    // Assess
    expect(html).toContain('Digest of 2 notifications');
    expect(html).toContain('1 firing, 1 resolved');
    expect(html).toContain('🔥 <b>CRITICAL · HighLatency-1</b>');
    expect(html).toContain('✅ <b>CRITICAL · HighLatency-3</b>');
    expect(html).toContain('<b>instance</b>: api-1:9090');
    expect(html).not.toContain('job');
    expect(html).toContain('>Runbook</a>');
  });
});

describe('packDigests', () => {
  it('packs in order into digests that each fit one message and a phone screen', () => {
    // Prepare: long key fields make fewer lines fit a message than MAX_DIGEST_LINES.
    const members = Array.from({ length: 120 }, (_, n) => alert(n, { fields: [{ name: 'instance', value: `${'x'.repeat(500)}-${n}` }] }));

    // Act
    const digests = packDigests(members, (m) => m);

    // Assess
    expect(digests.flat()).toEqual(members);
    for (const digest of digests) {
      const parts = renderMessage(digestMessage(digest));
      expect(parts).toHaveLength(1);
      expect(wireSize(parts[0]!)).toBeLessThanOrEqual(MAX_BODY_BYTES);
      expect(digest.length).toBeLessThanOrEqual(MAX_DIGEST_LINES);
    }
    expect(digests.length).toBeGreaterThan(120 / MAX_DIGEST_LINES);
  });

  it('caps a digest at MAX_DIGEST_LINES lines when the lines are short', () => {
    // Act
    const digests = packDigests(Array.from({ length: 2 * MAX_DIGEST_LINES + 7 }, (_, n) => alert(n)), (m) => m);

    // Assess
    expect(digests.map((d) => d.length)).toEqual([MAX_DIGEST_LINES, MAX_DIGEST_LINES, 7]);
  });
});

describe('isFoldable', () => {
  it('folds text-only messages, not those with files', () => {
    // Assess
    expect(isFoldable(alert(1))).toBe(true);
    expect(isFoldable(alert(1, { attachments: [{ kind: 'url', url: 'https://grafana.example.com/panel.png' }] }))).toBe(false);
  });
});

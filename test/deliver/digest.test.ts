/** Digests: lines that keep each notification's words, parts instead of cuts, and a storm through deliver. */
import * as v from 'valibot';
import { DELIVER_BATCH_SIZE } from '../../infra/limits';
import type { LocalRelay } from '../../lambda/local/server';
import { SPACES_LIMITS } from '../../lambda/spaces/rate-limit';
import { generic, GenericSchema } from '../../lambda/sources/generic';
import { readable } from '../support/events';
import { FAST_QUEUE, sendHook, startTestRelay } from '../support/relay';
import { startSpacesServer, TEST_TOKEN, type RunningStandIn } from '../support/spaces-server';
import { DIGEST_TEXT_CHARS, digestMessage, isFoldable, MAX_DIGEST_LINES, packDigests, stormRuns } from '../../lambda/deliver/digest';
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
  it('shows each original as one line: status mark, severity and title, first line of its text, key field, first link', () => {
    // Act
    const [html] = renderMessage(digestMessage([alert(1), alert(3)]));

    // Assess
    expect(html).toContain('Digest of 2 notifications');
    expect(html).toContain('1 firing, 1 resolved');
    expect(html).toContain('🔥 <b>CRITICAL · HighLatency-1</b>');
    expect(html).toContain('✅ <b>CRITICAL · HighLatency-3</b>');
    expect(html!.match(/p99 above 2 s for 10 minutes/g)).toHaveLength(2);
    expect(html).toContain('<b>instance</b>: api-1:9090');
    expect(html).not.toContain('job');
    expect(html).toContain('>Runbook</a>');
  });

  it('shows the sender\'s own word next to the status of a line', () => {
    // Prepare
    const superseded = chatMessage({ source: 'codepipeline', status: 'skipped', senderStatus: 'SUPERSEDED', title: 'deploy' });

    // Act
    const [html] = renderMessage(digestMessage([superseded, alert(1)]));

    // Assess
    expect(html).toContain('⏭️ <b>deploy</b> <i>skipped (SUPERSEDED)</i>');
  });

  it('keeps the first line of a text, cut to a readable length at a character boundary', () => {
    // Prepare: a text whose first line is long and ends in emoji, the first of them on the 200th and 201st UTF-16
    // units (where a cut at 200 would split it), then a second line.
    const long = `${'Disk /var is filling up on node-12 '.repeat(5)}and the rotation is late${'🔥'.repeat(50)}`;
    const message = chatMessage({ source: 'generic', status: 'info', title: 'Message', summary: `\n  ${long}\nsecond line` });

    // Act
    const [html] = renderMessage(digestMessage([message, message]));

    // Assess: 199 units and the marker; no half of an emoji.
    const shown = `${'Disk /var is filling up on node-12 '.repeat(5)}and the rotation is late…`;
    expect(html!.match(new RegExp(`— ${shown}</li>`, 'g'))).toHaveLength(2);
    expect(html).not.toContain('second line');
  });

  it('keeps markup in a sender\'s text, title and link label escaped in its line', () => {
    // Prepare
    const hostile = chatMessage({
      source: 'generic',
      status: 'firing',
      title: '<img src=x onerror=alert(1)>',
      summary: '<script>alert("x")</script> & <mention id="all">',
      links: [{ label: '<b>Run</b>', url: 'https://ci.example.com/?a=1&b="2"' }],
    });

    // Act
    const [html] = renderMessage(digestMessage([hostile, alert(1)]));

    // Assess
    expect(html!).toContain('<b>&lt;img src=x onerror=alert(1)&gt;</b>');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;mention id=&quot;all&quot;&gt;');
    expect(html).toContain('href="https://ci.example.com/?a=1&amp;b=%222%22">&lt;b&gt;Run&lt;/b&gt;</a>');
    expect(html).not.toMatch(/<(script|img|mention)/);
  });
});

describe('packDigests', () => {
  it('splits a digest too long for one message into numbered parts, every line in exactly one, none cut', () => {
    // Prepare: 50 notifications whose lines are long (a long first line of text each): more than one message.
    const members = Array.from({ length: MAX_DIGEST_LINES }, (_, n) =>
      alert(n, { summary: `${n}: ${'the queue consumer lags behind the producer '.repeat(4)}`.slice(0, DIGEST_TEXT_CHARS).trim() }),
    );
    expect(renderMessage(digestMessage(members)).length).toBeGreaterThan(1);

    // Act
    const parts = packDigests(members, (m) => m);

    // Assess
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.flatMap((p) => p.members)).toEqual(members);
    const bodies = parts.map((p, index) => {
      expect(p.place).toEqual({ part: index + 1, parts: parts.length, notifications: MAX_DIGEST_LINES });
      const rendered = renderMessage(digestMessage(p.members, p.place));
      expect(rendered).toHaveLength(1);
      expect(wireSize(rendered[0]!)).toBeLessThanOrEqual(MAX_BODY_BYTES);
      return rendered[0]!;
    });
    expect(bodies[0]).toContain(`Digest of ${MAX_DIGEST_LINES} notifications (part 1/${parts.length})`);
    expect(bodies[1]).toContain(`Digest of ${MAX_DIGEST_LINES} notifications (part 2/${parts.length})`);
    const all = bodies.join('');
    expect(all).not.toContain('more not shown');
    for (const member of members) expect(all.split(`— ${member.summary}<br>`)).toHaveLength(2);
  });

  it('caps a digest at MAX_DIGEST_LINES lines, each digest one message when its lines are short', () => {
    // Act
    const parts = packDigests(Array.from({ length: 2 * MAX_DIGEST_LINES + 7 }, (_, n) => alert(n)), (m) => m);

    // Assess
    expect(parts.map((p) => p.members.length)).toEqual([MAX_DIGEST_LINES, MAX_DIGEST_LINES, 7]);
    expect(parts.map((p) => p.place.parts)).toEqual([1, 1, 1]);
    expect(renderMessage(digestMessage(parts[0]!.members, parts[0]!.place))[0]).toContain(`Digest of ${MAX_DIGEST_LINES} notifications</b>`);
  });
});

describe('isFoldable', () => {
  it('folds text-only messages, not those with files', () => {
    // Assess
    expect(isFoldable(alert(1))).toBe(true);
    expect(isFoldable(alert(1, { attachments: [{ kind: 'url', url: 'https://grafana.example.com/panel.png' }] }))).toBe(false);
  });
});

describe('a storm through deliver', () => {
  let relay: LocalRelay | undefined;
  let spaces: RunningStandIn | undefined;
  afterEach(async () => {
    await relay?.close();
    await spaces?.close();
  });

  it('leaves the text of every one of 200 text-only notifications readable, within the Spaces limits', async () => {
    // Prepare: the contract-checking Spaces server enforcing the documented limits, deliver keeping to its share of
    // them, and 200 generic notifications with only a text each (up to the length a line shows), with markup that
    // must stay text.
    spaces = await startSpacesServer({ limits: SPACES_LIMITS });
    relay = await startTestRelay({
      spaces: { baseUrl: spaces.url, token: TEST_TOKEN },
      settings: { DIGEST_THRESHOLD: '20' },
      // The event source's batching window ends as soon as a whole batch waits: the storm comes in whole batches.
      queue: { ...FAST_QUEUE, batchWindowSeconds: 60_000 },
    });
    const texts = Array.from(
      { length: 4 * DELIVER_BATCH_SIZE },
      (_, n) =>
        `Disk ${n} on db-${n % 7}: /var at ${90 + (n % 10)}% (threshold <90%) & growing ${n * 13} MB/min; ` +
        'most of it is rotated logs of the payments service, compressed nightly',
    );

    // Act
    await Promise.all(texts.map((text) => sendHook(relay!, '/hooks/generic', { text })));
    await relay.queue.idle();

    // Assess: folded into a few posts, not one each; every text there exactly once; no call refused for its rate.
    const posts = spaces.standIn.messages;
    expect(posts.length).toBeLessThanOrEqual(8);
    expect(posts.every((post) => post.bodyText.includes('Digest of 50 notifications'))).toBe(true);
    const shown = posts.map((post) => readable(post.bodyText)).join('\n');
    for (const text of texts) {
      expect(text.length).toBeLessThanOrEqual(DIGEST_TEXT_CHARS);
      expect(shown.split(text)).toHaveLength(2);
    }
    expect(spaces.standIn.rateLimited).toBe(0);
    expect(relay.queue.deadLetters).toEqual([]);
    expect(relay.queue.stats.retries).toBe(0);
  }, 30_000);

  it('posts a digest too long for one message as numbered parts, each line in exactly one, a last line alone too', async () => {
    // Prepare: notifications whose key fields are long, markup in their texts; as many as leave one line for the
    // last part.
    const body = (n: number) => ({
      title: `Queue ${n}`,
      text: `<b>lag</b> of consumer ${n} & rising`,
      status: 'firing',
      fields: { consumers: Array.from({ length: 40 }, (_, c) => `worker-${n}-${c}`).join(', ') },
    });
    const messageOf = (n: number) => generic.toMessages(v.parse(GenericSchema, body(n)), undefined)[0]!;
    const count = Array.from({ length: 30 }, (_, i) => i + 20).find((n) => {
      const parts = packDigests(Array.from({ length: n }, (_, i) => i), messageOf);
      return parts.length > 1 && parts.at(-1)!.members.length === 1;
    })!;
    spaces = await startSpacesServer({ limits: SPACES_LIMITS });
    relay = await startTestRelay({
      spaces: { baseUrl: spaces.url, token: TEST_TOKEN },
      settings: { DIGEST_THRESHOLD: '20' },
      queue: { ...FAST_QUEUE, batchWindowSeconds: 60_000, batchSize: count },
    });

    // Act
    await Promise.all(Array.from({ length: count }, (_, n) => sendHook(relay!, '/hooks/generic', body(n))));
    await relay.queue.idle();

    // Assess
    const posts = spaces.standIn.messages.map((post) => post.bodyText);
    expect(posts.length).toBeGreaterThan(1);
    posts.forEach((post, index) => expect(post).toContain(`Digest of ${count} notifications (part ${index + 1}/${posts.length})`));
    expect(posts.at(-1)!.match(/<li>/g)).toHaveLength(1);
    const all = posts.join('');
    for (let n = 0; n < count; n += 1) {
      expect(all.split(`<b>Queue ${n}</b> <i>firing</i> — &lt;b&gt;lag&lt;/b&gt; of consumer ${n} &amp; rising<br>`)).toHaveLength(2);
    }
    expect(relay.queue.deadLetters).toEqual([]);
  }, 30_000);
});

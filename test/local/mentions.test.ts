/**
 * Mentions end to end on the local relay (the deployed handlers, MENTIONS as the stack sets it): only the team's
 * configured targets are ever mentioned, and markup in a payload — a `<mention>` in a label, an annotation, a title or
 * a committer's name — reaches the space as text, never as a tag.
 */
import { startLocalRelay, type LocalRelay } from '../../lambda/local/server';
import { fixtureJson, fixtureSidecar } from '../support/fixtures';
import { FAST_QUEUE } from '../support/relay';

const ONCALL = { id: '5f0c0a1b2c3d4e5f60718293', name: 'Payments on-call', type: 'group' };
const DANA = { id: '5f0c0a1b2c3d4e5f60718294', name: 'Dana' };
const MENTIONS = {
  targets: { oncall: ONCALL, dana: DANA },
  committers: { raquezha: 'dana' },
  rules: [
    { match: { severity: 'critical', status: 'firing' }, mention: ['oncall'] },
    { match: { status: 'failure' }, mentionCommitter: true },
  ],
};
const EVIL = '<mention id="attacker" type="user" value="everyone">@everyone</mention><b>x</b>';

/** Every `<mention …>` tag of a bodyText, as `id`. */
const mentionIds = (html: string): string[] => [...html.matchAll(/<mention\b[^>]*\bid="([^"]*)"/g)].map((m) => m[1]!);

describe('mentions on the local relay', () => {
  let relay: LocalRelay;

  beforeAll(async () => {
    relay = await startLocalRelay({
      port: 0,
      queue: FAST_QUEUE,
      settings: { CHANNELS: JSON.stringify({ default: 'space-1' }), MENTIONS: JSON.stringify(MENTIONS) },
    });
  });

  afterAll(async () => {
    await relay.close();
  });

  /** Posts a webhook and returns everything the space received for it, once the queue has handed it all over. */
  async function posted(path: string, body: unknown, headers: Record<string, string> = {}): Promise<string> {
    const before = relay.standIn!.messages.length;
    const response = await fetch(`${relay.url}${path}`, {
      method: 'POST',
      // Lower case, so that a recorded Content-Type replaces the default rather than joining it.
      headers: { 'content-type': 'application/json', ...Object.fromEntries(Object.entries(headers).map(([k, value]) => [k.toLowerCase(), value])) },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(202);
    await relay.queue.idle();
    return relay.standIn!.messages.slice(before).map((m) => m.bodyText).join('');
  }

  it('mentions the on-call group on a critical firing alert, and nothing a payload says', async () => {
    // Prepare: markup in a label, an annotation and the alert name of a real Alertmanager group.
    const group = fixtureJson('alertmanager', 'firing_two_alerts_zulip.json');
    group.commonLabels = { ...group.commonLabels, team: EVIL };
    group.commonAnnotations = { summary: `CPU hot ${EVIL}` };
    group.alerts[0].labels.alertname = EVIL;
    group.alerts[1].annotations = { description: EVIL };

    // Act
    const html = await posted('/hooks/alertmanager', group);

    // Assess: the one configured mention; the payload's markup shown as text.
    expect(mentionIds(html)).toEqual([ONCALL.id]);
    expect(html).not.toContain('attacker"');
    expect(html).not.toContain('<b>x</b>');
    expect(html).toContain('&lt;mention id=&quot;attacker&quot;');
  });

  it('mentions a failed build’s committer only through the team’s map', async () => {
    // Prepare: a real GitLab failed pipeline by a mapped committer, and the same by one whose name is markup.
    const pipeline = fixtureJson('gitlab', 'pipeline_hook_failed_nuecagram.json');
    const { 'Content-Length': _length, ...headers } = fixtureSidecar('gitlab', 'pipeline_hook_failed_nuecagram.json').headers;
    const forged = { ...pipeline, user: { ...pipeline.user, username: EVIL, name: EVIL } };

    // Act
    const mapped = await posted('/hooks/gitlab', pipeline, { ...headers, 'X-Gitlab-Event-UUID': 'mapped' });
    const unmapped = await posted('/hooks/gitlab', forged, { ...headers, 'X-Gitlab-Event-UUID': 'forged' });

    // Assess
    expect(mentionIds(mapped)).toEqual([DANA.id]);
    expect(mapped.startsWith(`<p><mention id="${DANA.id}" type="user" value="Dana">@Dana</mention></p>`)).toBe(true);
    expect(mentionIds(unmapped)).toEqual([]);
    expect(unmapped).toContain('&lt;mention id=&quot;attacker&quot;');
  });

  it('mentions nobody when no rule matches', async () => {
    const html = await posted('/hooks/generic', { text: 'deploy done', status: 'success', severity: 'critical' });

    expect(html).toContain('deploy done');
    expect(mentionIds(html)).toEqual([]);
  });
});

describe('mentions in a storm', () => {
  it('posts a message that calls on someone on its own, while the rest of the storm is folded into digests', async () => {
    // Prepare: one batch of 30 alerts for one space, one of them critical (the on-call is mentioned on it).
    const count = 30;
    const relay = await startLocalRelay({
      port: 0,
      // A batch of exactly the storm, and a window long enough for a slow machine: the batch ends it once all 30
      // wait, so they are handed over together however long they take to arrive.
      queue: { ...FAST_QUEUE, batchWindowSeconds: 60_000, batchSize: count },
      settings: { CHANNELS: JSON.stringify({ default: 'space-1' }), MENTIONS: JSON.stringify(MENTIONS), DIGEST_THRESHOLD: '20' },
    });
    const alert = (n: number) => ({
      version: '4',
      groupKey: `{}:{alertname="Storm${n}"}`,
      status: 'firing',
      receiver: 'ops',
      commonLabels: { alertname: `Storm${n}`, severity: n === 7 ? 'critical' : 'warning' },
      alerts: [{ status: 'firing', labels: { alertname: `Storm${n}`, severity: n === 7 ? 'critical' : 'warning' }, annotations: {} }],
    });

    try {
      // Act
      await Promise.all(
        Array.from({ length: count }, (_, n) =>
          fetch(`${relay.url}/hooks/alertmanager`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alert(n)) }),
        ),
      );
      await relay.queue.idle();

      // Assess: the critical one alone, with its mention; the others in digests, which mention nobody.
      const bodies = relay.standIn!.messages.map((m) => m.bodyText);
      const paged = bodies.filter((html) => html.includes('Storm7<'));
      expect(paged).toHaveLength(1);
      expect(mentionIds(paged[0]!)).toEqual([ONCALL.id]);
      expect(paged[0]).not.toContain('Digest of');
      expect(bodies.filter((html) => html.includes('Digest of')).length).toBeGreaterThan(0);
      expect(bodies.filter((html) => html !== paged[0]).flatMap(mentionIds)).toEqual([]);
    } finally {
      await relay.close();
    }
  });
});

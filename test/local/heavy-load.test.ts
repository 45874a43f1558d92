/**
 * Heavy load through the local relay (ingest over HTTP → local queue → deliver → the Spaces stand-in enforcing the
 * documented limits): a burst of webhooks is absorbed, and one huge notification takes only its share of the posts.
 */
import { MAX_PARTS } from '../../lambda/render/body-text';
import type { LocalRelay } from '../../lambda/local/server';
import { SPACES_LIMITS } from '../../lambda/spaces/rate-limit';
import { hugeAlertGroup } from '../support/alert-storm';
import { runFaultScenario } from '../support/fault-scenario';
import { sendHook, startTestRelay } from '../support/relay';

const MINUTE_MS = 60_000;

describe('a burst of webhooks', () => {
  it('is absorbed: 2,000 at once are each readable once within 3 minutes, none dead-lettered, within the limits', async () => {
    // Prepare: the documented limits and the deployed clocks, in real time (it takes seconds); no faults, nothing
    // forbidden; storms are folded as deployed.
    const options = { messages: 2_000, faultRate: 0, forbiddenEvery: Number.MAX_SAFE_INTEGER, digestThreshold: 20 };

    // Act
    const result = await runFaultScenario({ ...options, timeScale: 1, clocks: 'deployed' });

    // Assess
    expect(result.accepted).toBe(2_000);
    expect(result.lost).toEqual([]);
    expect(result.duplicated).toEqual([]);
    expect(result.deliveredOnce).toBe(2_000);
    expect(result.deadLettered).toBe(0);
    // The relay kept to the documented limits: the stand-in never had to refuse a call.
    expect(result.rateLimited).toBe(0);
    expect(result.readableMs).toBeLessThan(3 * MINUTE_MS);
    // Nothing went round the queue again: records handed back would have waited 30 s each.
    expect(result.queueRetries).toBe(0);
    // Digests of a whole batch each: about 40 posts, within the minute's post budget.
    expect(result.posts).toBeLessThanOrEqual(50);
  }, 4 * MINUTE_MS);
});

describe('one huge notification', () => {
  let relay: LocalRelay | undefined;
  afterEach(async () => relay?.close());

  it(`takes at most ${MAX_PARTS} posts: a 1 MB Alertmanager group shows its first alerts, then sums up the rest`, async () => {
    // Prepare
    relay = await startTestRelay({ standInLimits: SPACES_LIMITS });
    const { body, alerts } = hugeAlertGroup(1_000_000);
    const firing = alerts.filter((alert) => alert.status === 'firing').length;

    // Act
    const status = await sendHook(relay, '/hooks/alertmanager', body);
    await relay.queue.idle();

    // Assess: at most MAX_PARTS posts (it was 43), the last a summary counting every alert not shown in full.
    expect(Buffer.byteLength(body)).toBeGreaterThan(990_000);
    expect(status).toBe(202);
    const posts = relay.standIn!.messages.map((message) => message.bodyText);
    expect(posts).toHaveLength(MAX_PARTS);
    expect(relay.queue.deadLetters).toEqual([]);
    expect(posts[0]).toContain(`<b>Alerts</b>: ${firing} firing, ${alerts.length - firing} resolved`);
    const inFull = posts.slice(0, -1).join('').match(/<li>/g)!.length;
    const summary = posts.at(-1)!;
    const lines = summary.match(/<li>/g)!.length;
    const notShown = Number(/and ([\d,]+) more not shown/.exec(summary)![1]!.replace(/,/g, ''));
    expect(summary).toContain(`<b>${(alerts.length - inFull).toLocaleString('en-US')} more</b> (`);
    expect(inFull + lines + notShown).toBe(alerts.length);
    expect(summary).toContain(`${alerts[inFull]!.labels.instance}</li>`);
  }, 60_000);
});

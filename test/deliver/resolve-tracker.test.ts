/** Resolved alerts and the message that announced them, per RESOLVE_MODE, through the local relay. */
import { STATE_TTL_SECONDS } from '../../infra/limits';
import { ResolveTracker } from '../../lambda/deliver/resolve-tracker';
import { MemoryStateStore } from '../../lambda/deliver/state-store';
import type { ResolveMode } from '../../lambda/runtime/config';
import type { LocalRelay } from '../../lambda/local/server';
import { fixtureBytes } from '../support/fixtures';
import { sendHook, startTestRelay } from '../support/relay';

const FIRING = fixtureBytes('alertmanager', 'firing_single_alert_v4_legacy.json').toString('utf8');
const RESOLVED = fixtureBytes('alertmanager', 'resolved_single_alert_v4_legacy.json').toString('utf8');

async function fireAndResolve(relay: LocalRelay): Promise<void> {
  await sendHook(relay, '/hooks/alertmanager', FIRING);
  await relay.queue.idle();
  await sendHook(relay, '/hooks/alertmanager', RESOLVED);
  await relay.queue.idle();
}

describe('resolving an alert', () => {
  let relay: LocalRelay | undefined;
  afterEach(async () => relay?.close());

  const withMode = async (resolveMode: ResolveMode) => (relay = await startTestRelay({ settings: { RESOLVE_MODE: resolveMode } }));

  it('edit-and-post: edits the firing message to resolved and posts a short resolved message', async () => {
    // Prepare
    await withMode('edit-and-post');

    // Act
    await fireAndResolve(relay!);

    // Assess
    const [firing, notice] = relay!.standIn!.messages;
    expect(relay!.standIn!.messages).toHaveLength(2);
    expect(firing!.edits).toBe(1);
    expect(firing!.bodyText).toMatch(/^<p><b>✅ RESOLVED · .*Fire<\/b>/);
    expect(notice!.bodyText).toMatch(/^<p><b>✅ RESOLVED · .*Fire<\/b><\/p>/);
    expect(notice!.bodyText.length).toBeLessThan(firing!.bodyText.length);
  });

  it('edit: only edits the firing message', async () => {
    // Prepare
    await withMode('edit');

    // Act
    await fireAndResolve(relay!);

    // Assess
    expect(relay!.standIn!.messages).toHaveLength(1);
    expect(relay!.standIn!.messages[0]!.edits).toBe(1);
    expect(relay!.standIn!.messages[0]!.bodyText).toContain('RESOLVED');
  });

  it('post: leaves the firing message as it was and posts the resolved message in full', async () => {
    // Prepare
    await withMode('post');

    // Act
    await fireAndResolve(relay!);

    // Assess
    const [firing, resolved] = relay!.standIn!.messages;
    expect(firing!.edits).toBe(0);
    expect(firing!.bodyText).toContain('FIRING');
    expect(resolved!.bodyText).toContain('RESOLVED');
  });

  it('posts the resolved message in full when it never saw the alert fire', async () => {
    // Prepare
    await withMode('edit-and-post');

    // Act
    await sendHook(relay!, '/hooks/alertmanager', RESOLVED);
    await relay!.queue.idle();

    // Assess
    expect(relay!.standIn!.messages).toHaveLength(1);
    expect(relay!.standIn!.messages[0]!.bodyText).toContain('RESOLVED');
    expect(relay!.standIn!.calls.filter((c) => c.operation === 'edit')).toEqual([]);
  });

  it('retries a failed edit without posting twice', async () => {
    // Prepare: the first edit fails; the record goes back to the queue and is tried again.
    let failing = 1;
    relay = await startTestRelay({ standInFault: (op) => (op === 'edit' && failing-- > 0 ? { status: 500 } : undefined) });

    // Act
    await fireAndResolve(relay);

    // Assess
    expect(relay.standIn!.calls.filter((c) => c.operation === 'edit').map((c) => c.status)).toEqual([500, 200]);
    expect(relay.standIn!.messages).toHaveLength(2);
    expect(relay.standIn!.messages[0]!.edits).toBe(1);
  });
});

describe('ResolveTracker', () => {
  it('remembers a firing post for a month, plus the longest its resolve can wait in the queues', async () => {
    // Prepare
    let now = 0;
    const tracker = new ResolveTracker(new MemoryStateStore(() => now), STATE_TTL_SECONDS);
    await tracker.remember('alertmanager:ops:{}/{}:{alertname="DiskFull"}', 'space-1', { messageIds: ['m-1'] });
    const kept = (30 * 24 * 3600 + STATE_TTL_SECONDS) * 1000;

    // Act
    now = kept - 1;
    const lastMoment = await tracker.lookup('alertmanager:ops:{}/{}:{alertname="DiskFull"}');
    now = kept;
    const afterwards = await tracker.lookup('alertmanager:ops:{}/{}:{alertname="DiskFull"}');

    // Assess
    expect(lastMoment).toEqual({ spaceId: 'space-1', posts: [{ messageIds: ['m-1'] }] });
    expect(afterwards).toBeUndefined();
  });
});

/**
 * `npm run bench -- burst`: 2,000 webhooks at once through ingest → local queue → deliver into the Spaces stand-in
 * enforcing the documented limits, in real time with the deployed clocks; then one 1 MB Alertmanager group. Prints
 * how long until everything is readable, the posts and digests it took, the Spaces calls, and whether anything went
 * round the queue again or to the dead letters.
 */
import { startLocalRelay } from '../lambda/local/server';
import { SPACES_LIMITS } from '../lambda/spaces/rate-limit';
import { hugeAlertGroup } from '../test/support/alert-storm';
import { runFaultScenario } from '../test/support/fault-scenario';

const TOKEN = 'bench-token';

export async function burstBenchmark(): Promise<void> {
  const r = await runFaultScenario({ messages: 2_000, faultRate: 0, forbiddenEvery: Number.MAX_SAFE_INTEGER, digestThreshold: 20, timeScale: 1, clocks: 'deployed' });
  process.stdout.write(
    [
      `-- 2,000 webhooks at once`,
      `  accepted ${r.accepted}; exactly once ${r.deliveredOnce}, duplicated ${r.duplicated.length}, lost ${r.lost.length}, dead letters ${r.deadLettered}`,
      `  all readable after ${(r.readableMs / 1000).toFixed(1)} s (queue empty after ${(r.drainMs / 1000).toFixed(1)} s)`,
      `  posts ${r.posts} (digests ${r.digests}); Spaces calls ${r.spacesCalls}; 429s from the enforced limits ${r.rateLimited}`,
      `  records received again ${r.queueRetries}; retried in place ${r.retried.inPlace}`,
      '',
    ].join('\n'),
  );

  const relay = await startLocalRelay({ port: 0, webhookToken: TOKEN, standInLimits: SPACES_LIMITS });
  try {
    const { body, alerts } = hugeAlertGroup(1_000_000);
    const started = Date.now();
    const response = await fetch(`${relay.url}/hooks/alertmanager`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body,
    });
    await response.arrayBuffer();
    await relay.queue.idle();
    const posts = relay.standIn!.messages.length;
    process.stdout.write(
      [
        `-- one Alertmanager group of ${(Buffer.byteLength(body) / 1e6).toFixed(2)} MB (${alerts.length.toLocaleString('en-US')} alerts)`,
        `  answered ${response.status}; ${posts} posts (${((posts / SPACES_LIMITS.perEndpoint.limit) * 100).toFixed(1)} % of a minute's post budget), readable after ${((Date.now() - started) / 1000).toFixed(1)} s`,
        '',
      ].join('\n'),
    );
  } finally {
    await relay.close();
  }
}

/**
 * `npm run bench -- faults`: 1,000 webhooks through ingest → local queue → deliver into the Spaces stand-in, which
 * fails 30 % of the calls (500, 429 with Retry-After, resets, posts stored but unanswered, answers too slow) and
 * enforces the rate limits with windows scaled down 200×. Once with every message posted on its own, once as a storm
 * folded into digests. Prints what arrived (exactly once?), what was dead-lettered, the retries, and the time to drain.
 */
import { runFaultScenario } from '../test/support/fault-scenario';

const MESSAGES = 1_000;

export async function runFaultsBenchmark(): Promise<void> {
  for (const [label, digestThreshold] of [
    ['one post per message', Number.MAX_SAFE_INTEGER],
    ['storm, folded into digests', 20],
  ] as const) {
    const r = await runFaultScenario({ messages: MESSAGES, faultRate: 0.3, forbiddenEvery: 50, digestThreshold, timeScale: 0.005 });
    const injected = Object.entries(r.injected).map(([kind, n]) => `${kind} ${n}`).join(', ');
    process.stdout.write(
      [
        `-- ${label}`,
        `  sent ${r.sent}, accepted ${r.accepted}; delivered exactly once ${r.deliveredOnce}, duplicated ${r.duplicated.length}, lost ${r.lost.length}`,
        `  dead letters ${r.deadLettered} (forbidden space: ${r.forbidden}, unexpected: ${r.unexpectedDeadLetters.length})`,
        `  Spaces calls ${r.spacesCalls}, messages in the space ${r.posts}; faults injected: ${injected}`,
        `  retries ${r.retried} (records handed back to the queue: ${r.queueRetries}); looks for unanswered posts ${r.lookups}`,
        `  429s from the enforced limits ${r.rateLimited}`,
        `  time to drain ${(r.drainMs / 1000).toFixed(1)} s`,
        '',
      ].join('\n'),
    );
  }
}

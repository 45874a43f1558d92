/**
 * `npm run bench -- faults`: 1,000 webhooks through ingest → local queue → deliver into the Spaces stand-in, which
 * fails 30 % of the calls (500, 429 with Retry-After, resets, posts stored but unanswered, answers too slow) and
 * enforces the rate limits with windows scaled down 200×. Once with every message posted on its own, once as a storm
 * folded into digests. Prints what arrived (exactly once?), what was dead-lettered, the retries, and the time to drain.
 *
 * `npm run bench -- faults200`: how soon 200 notifications are readable under the same 30 % of faults, in real time:
 * the documented limits, the deployed retry policy, timeouts, settle pause and queue rules, a few seeds.
 */
import { runFaultScenario, type FaultScenarioResult } from '../test/support/fault-scenario';

const MESSAGES = 1_000;
const SEEDS_200 = [1, 2, 3, 4, 5, 6];

function retries(r: FaultScenarioResult): string {
  return `retries: Spaces calls ${r.retried.calls}, in place ${r.retried.inPlace}, handed back to the queue ${r.retried.handedBack}`;
}

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
        `  ${retries(r)} (records received again: ${r.queueRetries}); looks for unanswered posts ${r.lookups}`,
        `  429s from the enforced limits ${r.rateLimited}`,
        `  time to drain ${(r.drainMs / 1000).toFixed(1)} s`,
        '',
      ].join('\n'),
    );
  }
}

export async function runFaults200Benchmark(): Promise<void> {
  process.stdout.write('200 webhooks, 30 % of Spaces calls failing, documented limits, deployed clocks, real time\n');
  const readable: number[] = [];
  for (const seed of SEEDS_200) {
    const r = await runFaultScenario({ messages: 200, faultRate: 0.3, forbiddenEvery: Number.MAX_SAFE_INTEGER, digestThreshold: 20, timeScale: 1, clocks: 'deployed', seed });
    readable.push(r.readableMs);
    process.stdout.write(
      [
        `-- seed ${seed}: all readable after ${(r.readableMs / 1000).toFixed(1)} s (queue empty after ${(r.drainMs / 1000).toFixed(1)} s)`,
        `  posts ${r.posts} (digests ${r.digests}); exactly once ${r.deliveredOnce}, duplicated ${r.duplicated.length}, lost ${r.lost.length}, dead letters ${r.deadLettered}`,
        `  Spaces calls ${r.spacesCalls}; faults: ${r.injected.error500} × 500, ${r.injected.throttled} × 429, ${r.injected.reset} resets, ` +
          `${r.injected.storedThenDropped} posts stored but unanswered, ${r.injected.storedAfterTimeout} answers slower than the 10 s timeout`,
        `  ${retries(r)}; looks for unanswered posts ${r.lookups}; 429s from the enforced limits ${r.rateLimited}`,
        '',
      ].join('\n'),
    );
  }
  process.stdout.write(`slowest: ${(Math.max(...readable) / 1000).toFixed(1)} s, median ${(readable.sort((a, b) => a - b)[Math.floor(readable.length / 2)]! / 1000).toFixed(1)} s\n`);
}

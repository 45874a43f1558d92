/**
 * The fault scenario shared by the fault tests and `bench/faults.ts`: N webhooks through the real ingest → local
 * queue → deliver code into the Spaces stand-in, which fails a share of the calls and enforces the rate limits
 * (windows scaled down). Every message carries a unique marker in its title, so that it can be counted in whatever
 * message it ended up in — its own post or a digest line.
 */
import { randomFaults, type FaultKind } from '../../lambda/local/fault-injection';
import { startLocalRelay } from '../../lambda/local/server';
import { scaleLimits, SPACES_LIMITS } from '../../lambda/spaces/rate-limit';
import { mapLimit } from '../../lambda/runtime/concurrency';
import { countTotals } from '../../lambda/runtime/metrics';
import type { DeliverTuning } from '../../lambda/deliver/dependencies';
import { DEFAULT_SETTLE_MS } from '../../lambda/deliver/post-once';
import { IN_PLACE_RETRY } from '../../lambda/deliver/retry-in-place';
import { DEFAULT_TIMEOUT_MS } from '../../lambda/spaces/client';
import { DEFAULT_RETRY_POLICY } from '../../lambda/spaces/retry';

export interface FaultScenarioOptions {
  readonly messages: number;
  /** Share of Spaces calls that fail (0..1). */
  readonly faultRate: number;
  /** Every n-th message goes to a space the bot may not post to: those, and only those, must end as dead letters. */
  readonly forbiddenEvery: number;
  /** Folding threshold; above `messages`, nothing is folded and every message is its own post. */
  readonly digestThreshold: number;
  /** Rate-limit windows are multiplied by this (0.005: a minute lasts 300 ms). */
  readonly timeScale: number;
  readonly seed?: number;
  /**
   * The client's per-call timeout, and the pause after an unanswered post before looking for it. A slow fault's
   * delay falls between the timeout and their sum, so the slow post is stored before it is looked for.
   */
  readonly clientTimeoutMs?: number;
  /**
   * Deliver's own clocks. `fast` (the default): retries, timeouts and the settle pause in milliseconds, whatever the
   * time scale. `deployed`: the deployed retry policy, Spaces timeout and settle pause, multiplied by `timeScale` like
   * the windows and the queue, with the injected 429s asking for a second and the slow answers falling between the
   * client's timeout and its look for the unanswered post — the time a reader waits, scaled.
   */
  readonly clocks?: 'fast' | 'deployed';
}

export interface FaultScenarioResult {
  readonly sent: number;
  readonly accepted: number;
  /** Markers found exactly once in the space. */
  readonly deliveredOnce: number;
  readonly duplicated: string[];
  readonly lost: string[];
  readonly deadLettered: number;
  /** Dead letters that are not forbidden-space messages (must be none). */
  readonly unexpectedDeadLetters: string[];
  readonly forbidden: number;
  readonly posts: number;
  /** Posts that are digests of several notifications. */
  readonly digests: number;
  readonly spacesCalls: number;
  /** 429s the stand-in answered because a limit was really exceeded (the injected ones are not counted here). */
  readonly rateLimited: number;
  readonly injected: Record<FaultKind | 'forbidden', number>;
  readonly queueRetries: number;
  /**
   * Retries counted by deliver: Spaces calls tried again by the client, notifications tried again within the
   * invocation, and records handed back to the queue.
   */
  readonly retried: { readonly calls: number; readonly inPlace: number; readonly handedBack: number };
  /** Looks among the space's messages for a post whose answer was lost. */
  readonly lookups: number;
  readonly drainMs: number;
  /** From the first webhook sent until the last expected marker showed in the space. */
  readonly readableMs: number;
}

const TOKEN = 'fault-scenario-token';
const SPACE = 'ops-space';
const FORBIDDEN_SPACE = 'no-access-space';

/** The process's retry counters so far, by where the retry happened (see `Counter` in runtime/metrics). */
function retriedTotals(): FaultScenarioResult['retried'] {
  const totals = countTotals();
  return { calls: totals['retried.call'] ?? 0, inPlace: totals['retried.in-place'] ?? 0, handedBack: totals['retried.queue'] ?? 0 };
}

function subtract(after: FaultScenarioResult['retried'], before: FaultScenarioResult['retried']): FaultScenarioResult['retried'] {
  return { calls: after.calls - before.calls, inPlace: after.inPlace - before.inPlace, handedBack: after.handedBack - before.handedBack };
}

const marker = (index: number): string => `M-${String(index).padStart(5, '0')}`;

/** Deliver's clocks and the faults' timing for a scenario (see `FaultScenarioOptions.clocks`). */
function timing(options: FaultScenarioOptions): { tuning: DeliverTuning; retryAfterSeconds: number; slowMs: number } {
  if (options.clocks === 'deployed') {
    const scale = (ms: number): number => Math.max(1, Math.round(ms * options.timeScale));
    const timeoutMs = scale(DEFAULT_TIMEOUT_MS);
    const settleMs = scale(DEFAULT_SETTLE_MS);
    const retry = DEFAULT_RETRY_POLICY;
    return {
      tuning: {
        retry: { attempts: retry.attempts, baseDelayMs: scale(retry.baseDelayMs), maxDelayMs: scale(retry.maxDelayMs), maxRetryAfterMs: scale(retry.maxRetryAfterMs) },
        spacesTimeoutMs: timeoutMs,
        settleMs,
        retryInPlace: { rounds: IN_PLACE_RETRY.rounds, pauseMs: scale(IN_PLACE_RETRY.pauseMs) },
      },
      retryAfterSeconds: options.timeScale,
      slowMs: timeoutMs + Math.round(settleMs / 2),
    };
  }
  const timeoutMs = options.clientTimeoutMs ?? 40;
  return {
    tuning: {
      retry: { attempts: 6, baseDelayMs: 2, maxDelayMs: 20, maxRetryAfterMs: 2_000 },
      spacesTimeoutMs: timeoutMs,
      settleMs: timeoutMs,
      retryInPlace: { rounds: IN_PLACE_RETRY.rounds, pauseMs: timeoutMs },
    },
    retryAfterSeconds: 0.005,
    slowMs: Math.round(timeoutMs * 1.25),
  };
}

export async function runFaultScenario(options: FaultScenarioOptions): Promise<FaultScenarioResult> {
  const clocks = timing(options);
  const faults = randomFaults({
    rate: options.faultRate,
    seed: options.seed ?? 7,
    retryAfterSeconds: clocks.retryAfterSeconds,
    slowMs: clocks.slowMs,
    forbiddenSpaces: [FORBIDDEN_SPACE],
  });
  const relay = await startLocalRelay({
    port: 0,
    webhookToken: TOKEN,
    settings: { CHANNELS: JSON.stringify({ default: SPACE, restricted: FORBIDDEN_SPACE }), DIGEST_THRESHOLD: String(options.digestThreshold) },
    standInFault: faults.fault,
    standInLimits: scaleLimits(SPACES_LIMITS, { timeScale: options.timeScale }),
    tuning: {
      // Deliver keeps its usual 10 % headroom below these.
      rateLimits: scaleLimits(SPACES_LIMITS, { timeScale: options.timeScale }),
      ...clocks.tuning,
    },
    // The deployed queue's rules, on a clock scaled like the rate-limit windows.
    queue: { msPerSecond: 1000 * options.timeScale },
  });
  try {
    const started = Date.now();
    const retriedBefore = retriedTotals();
    const statuses = await mapLimit(
      Array.from({ length: options.messages }, (_, i) => i),
      16,
      async (index) => {
        const channel = index % options.forbiddenEvery === options.forbiddenEvery - 1 ? '/restricted' : '';
        const response = await fetch(`${relay.url}/hooks/generic${channel}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ title: marker(index), text: `message number ${index}`, status: index % 2 ? 'firing' : 'resolved' }),
        });
        await response.arrayBuffer();
        return response.status;
      },
    );
    await relay.queue.idle();
    const drainMs = Date.now() - started;

    const standIn = relay.standIn!;
    const seen = new Map<string, number>();
    const shownAt = new Map<string, number>();
    for (const message of standIn.messages.filter((m) => m.spaceId === SPACE)) {
      for (const found of message.bodyText.match(/M-\d{5}/g) ?? []) {
        seen.set(found, (seen.get(found) ?? 0) + 1);
        if (!shownAt.has(found)) shownAt.set(found, Date.parse(message.created));
      }
    }
    const expected = Array.from({ length: options.messages }, (_, i) => i).filter(
      (i) => i % options.forbiddenEvery !== options.forbiddenEvery - 1,
    );
    const deadMarkers = relay.queue.deadLetters.map((letter) => /M-\d{5}/.exec(letter.body)?.[0] ?? '?');
    const forbidden = options.messages - expected.length;
    return {
      sent: options.messages,
      accepted: statuses.filter((s) => s === 202).length,
      deliveredOnce: expected.filter((i) => seen.get(marker(i)) === 1).length,
      duplicated: [...seen].filter(([, n]) => n > 1).map(([m]) => m),
      lost: expected.map(marker).filter((m) => !seen.has(m)),
      deadLettered: relay.queue.deadLetters.length,
      unexpectedDeadLetters: deadMarkers.filter((m) => !(Number(m.slice(2)) % options.forbiddenEvery === options.forbiddenEvery - 1)),
      forbidden,
      posts: standIn.messages.length,
      digests: standIn.messages.filter((m) => m.bodyText.includes('Digest of ')).length,
      spacesCalls: standIn.calls.length,
      rateLimited: standIn.rateLimited,
      injected: faults.injected,
      queueRetries: relay.queue.stats.retries,
      retried: subtract(retriedTotals(), retriedBefore),
      lookups: standIn.calls.filter((c) => c.operation === 'query').length,
      drainMs,
      readableMs: Math.max(0, ...expected.map((i) => (shownAt.get(marker(i)) ?? Number.NaN) - started)),
    };
  } finally {
    await relay.close();
  }
}

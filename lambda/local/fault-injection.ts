/**
 * Random faults for the Spaces stand-in, reproducible from a seed: the fault tests and benchmark use them to prove
 * that every message is delivered once however the calls fail. Each fault kind stands for something Spaces or the
 * network does: a 500, a 429 with a short `Retry-After`, a reset before the call is handled, a post stored but its
 * answer lost, and a slow answer the client gives up on before the stand-in stores the post.
 */
import type { Fault, StandInOperation } from './spaces-stand-in';

export type FaultKind = 'error500' | 'throttled' | 'reset' | 'storedThenDropped' | 'storedAfterTimeout';

export interface FaultOptions {
  /** Share of calls that fail, 0..1. */
  readonly rate: number;
  readonly seed?: number;
  /** `Retry-After` of the injected 429s, in (fractional) seconds. */
  readonly retryAfterSeconds?: number;
  /** For `storedAfterTimeout`: longer than the client's timeout, shorter than its settle pause after it. */
  readonly slowMs?: number;
  /** Calls to these spaces are refused for good (403), as for a space the bot is not a member of. */
  readonly forbiddenSpaces?: readonly string[];
}

/** A small, fast PRNG (mulberry32): the same seed gives the same faults. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KINDS: readonly FaultKind[] = ['error500', 'throttled', 'reset', 'storedThenDropped', 'storedAfterTimeout'];

/** A fault hook for the stand-in, and the tally of what it injected. */
export function randomFaults(options: FaultOptions): {
  readonly fault: (operation: StandInOperation, request: { url?: string }) => Fault | undefined;
  readonly injected: Record<FaultKind | 'forbidden', number>;
} {
  const next = random(options.seed ?? 1);
  const injected = { error500: 0, throttled: 0, reset: 0, storedThenDropped: 0, storedAfterTimeout: 0, forbidden: 0 };
  const forbidden = (options.forbiddenSpaces ?? []).map((space) => `/api/spaces/${encodeURIComponent(space)}/`);
  const fault = (operation: StandInOperation, request: { url?: string }): Fault | undefined => {
    if (forbidden.some((prefix) => request.url?.includes(prefix))) {
      injected.forbidden += 1;
      return { status: 403, body: { message: 'not a member of this space' } };
    }
    if (next() >= options.rate) return undefined;
    // Only a post can be stored and then lose its answer; other calls get one of the first three kinds.
    const kinds = operation === 'post' ? KINDS : KINDS.slice(0, 3);
    const kind = kinds[Math.floor(next() * kinds.length)]!;
    injected[kind] += 1;
    switch (kind) {
      case 'error500':
        return { status: 500 };
      case 'throttled':
        return { status: 429, headers: { 'retry-after': String(options.retryAfterSeconds ?? 0.01) } };
      case 'reset':
        return { reset: true };
      case 'storedThenDropped':
        return { dropAfterHandling: true };
      case 'storedAfterTimeout':
        return { delayMs: options.slowMs ?? 300 };
    }
  };
  return { fault, injected };
}

/**
 * How many cases each fuzz property runs, and from which seed. In `npm test`: a fixed seed and a bounded number of
 * cases, so the suite is the same on every run and stays within seconds. `npm run fuzz` (`scripts/fuzz.ts`) sets
 * `FUZZ_RUNS` (many more cases) and `FUZZ_SEED` (a random one, printed first); the same seed and runs replay a failure.
 */
import fc from 'fast-check';

/** The seed of `npm test`: any fixed number will do; this one is fixed so that a red build is red again locally. */
const DEFAULT_SEED = 20_260_101;

function integerVariable(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined || text === '') return undefined;
  if (!/^-?\d+$/.test(text)) throw new Error(`${name} must be a whole number, not "${text}"`);
  return Number(text);
}

const seed = integerVariable('FUZZ_SEED') ?? DEFAULT_SEED;
const fuzzRuns = integerVariable('FUZZ_RUNS');

/**
 * What one case costs: `in-process` properties call a function (ingest's handler, deliver's record reading),
 * `over-http` ones go through the local relay's server and queue, about ten times slower.
 */
export type CaseCost = 'in-process' | 'over-http';

/** The cases a property runs: `normal` in `npm test`; `FUZZ_RUNS` (a tenth of it over HTTP) under `npm run fuzz`. */
export function runsOf(normal: number, cost: CaseCost = 'in-process'): number {
  if (fuzzRuns === undefined) return normal;
  return cost === 'over-http' ? Math.max(normal, Math.ceil(fuzzRuns / 10)) : Math.max(normal, fuzzRuns);
}

/** jest's time limit for a property of `runs` cases: generous per case, so only a hang hits it. */
export function timeLimitMs(runs: number, cost: CaseCost = 'in-process'): number {
  return 30_000 + runs * (cost === 'over-http' ? 200 : 20);
}

/** `fc.assert` with the suite's seed and `runs` cases; a failure's report names the seed and the path to replay. */
export async function assertProperty<T>(property: fc.IAsyncProperty<T> | fc.IProperty<T>, runs: number): Promise<void> {
  await fc.assert(property as fc.IAsyncProperty<T>, { seed, numRuns: runs });
}

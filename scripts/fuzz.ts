/**
 * `npm run fuzz [-- <jest options>]`: the fuzz suite (`test/fuzz/`) with many more cases than `npm test` runs, from a
 * random seed, printed first and last. `FUZZ_RUNS` sets the cases per property (20,000 by default; properties that go
 * over HTTP run a tenth of it); `FUZZ_SEED` replays a run: the same seed and runs make the same cases.
 */
import { spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { join } from 'node:path';

const runs = process.env.FUZZ_RUNS || '20000';
const seed = process.env.FUZZ_SEED || String(randomInt(2 ** 31));
const replay = `FUZZ_SEED=${seed} FUZZ_RUNS=${runs} npm run fuzz`;

process.stdout.write(`fuzz: seed ${seed}, ${runs} cases per property (replay: ${replay})\n`);
// The roots last: jest reads the words after an option that takes a list as more of it.
const roots = `--roots=${join(__dirname, '..', 'test', 'fuzz')}`;
const jest = spawnSync(process.execPath, [require.resolve('jest/bin/jest'), ...process.argv.slice(2), roots], {
  stdio: 'inherit',
  env: { ...process.env, FUZZ_RUNS: runs, FUZZ_SEED: seed },
});
process.stdout.write(`fuzz: seed ${seed} ${jest.status === 0 ? 'passed' : 'FAILED'} (replay: ${replay})\n`);
process.exitCode = jest.status ?? 1;

/**
 * Each handler bundled as the stack bundles it (esbuild, minified, node20; ingest takes `@aws-sdk/*` from the Lambda
 * runtime, deliver bundles it — see infra/function-bundles.ts) and, for comparison, the other way; its size, and the
 * time Node takes to load it, next to an empty module as the baseline (starting Node itself is not the handler's cost).
 * Bundles are written under bench/out so that the external SDK resolves from node_modules, as it does in the runtime.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { BUNDLE_SETTINGS, RELAY_FUNCTIONS, type RelayFunctionName } from '../infra/function-bundles';
import { STATE_TTL_SECONDS } from '../infra/limits';

const HANDLERS = Object.keys(RELAY_FUNCTIONS) as RelayFunctionName[];
const RUNS = 15;
/** Both handlers read their configuration at load; give them a valid one so the load is the real cold-start path. */
const ENV = {
  WEBHOOK_SECRET_ID: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:x',
  QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q',
  SPACES_TOKEN_SECRET_ID: 'x',
  CHANNELS: '{"default":"s"}',
  IDEMPOTENCY_TABLE: 'idempotency',
  DLQ_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/dlq',
  STATE_TTL_SECONDS: String(STATE_TTL_SECONDS),
  AWS_REGION: 'eu-west-1',
};

/** Median milliseconds to `require` a file, measured inside a fresh Node process each run. */
function loadTime(file: string): number {
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  const times = Array.from({ length: RUNS }, () =>
    Number(execFileSync(process.execPath, ['-e', script], { env: { ...process.env, ...ENV } }).toString()),
  ).sort((a, b) => a - b);
  return times[Math.floor(RUNS / 2)]!;
}

export async function bundlesBenchmark(): Promise<void> {
  const out = join(__dirname, 'out');
  mkdirSync(out, { recursive: true });
  const empty = join(out, 'empty.js');
  writeFileSync(empty, 'module.exports = {};\n');
  const baseline = loadTime(empty);
  process.stdout.write(`bundles: empty-module baseline load ${baseline.toFixed(1)} ms (median of ${RUNS})\n`);
  for (const name of HANDLERS) {
    for (const sdk of ['runtime', 'bundled'] as const) {
      const file = join(out, `${name}-${sdk}-sdk.js`);
      const { format, target, minify, mainFields } = BUNDLE_SETTINGS;
      buildSync({
        entryPoints: [join(__dirname, '..', RELAY_FUNCTIONS[name].entry)],
        bundle: true,
        minify,
        platform: 'node',
        target,
        format,
        mainFields: [...mainFields],
        external: sdk === 'runtime' ? ['@aws-sdk/*'] : [],
        outfile: file,
        logLevel: 'error',
      });
      const kb = statSync(file).size / 1024;
      const ms = loadTime(file);
      const deployed = RELAY_FUNCTIONS[name].bundleAwsSdk === (sdk === 'bundled');
      const goal = name === 'ingest' && deployed ? `  goal ≤ 250 KB: ${kb <= 250 ? 'met' : 'NOT met'}` : '';
      process.stdout.write(
        `  ${name.padEnd(8)} SDK ${sdk.padEnd(8)} ${kb.toFixed(0).padStart(5)} KB  load ${ms.toFixed(1).padStart(6)} ms ` +
          `(+${(ms - baseline).toFixed(1)} ms over baseline)${deployed ? '  ← as deployed' : ''}${goal}\n`,
      );
    }
  }
}

/**
 * Bundles the relay's functions into `dist/functions/<name>/index.js` with the settings the stack bundles them with
 * (`infra/function-bundles.ts`), so that the package ships them ready to deploy. Run from the repository root, as
 * the stack's own bundling runs, so that the bundles come out byte for byte the same.
 */
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { BUNDLE_SETTINGS, externalModules, RELAY_FUNCTIONS, type RelayFunctionName } from '../infra/function-bundles';

const PROJECT_ROOT = join(__dirname, '..');
/** Where the prebuilt bundles go; `infra/constructs/relay-function.ts` finds them there once compiled to `dist/`. */
const FUNCTIONS_DIR = join(PROJECT_ROOT, 'dist', 'functions');

/** Bundles one function into `dist/functions/<name>/`. */
async function bundle(name: RelayFunctionName): Promise<void> {
  const { format, target, minify, mainFields, sourceMap, outfile } = BUNDLE_SETTINGS;
  await build({
    absWorkingDir: PROJECT_ROOT,
    entryPoints: [RELAY_FUNCTIONS[name].entry],
    bundle: true,
    platform: 'node',
    format,
    target,
    minify,
    mainFields: [...mainFields],
    sourcemap: sourceMap,
    external: externalModules(name),
    outfile: join(FUNCTIONS_DIR, name, outfile),
    logLevel: 'warning',
  });
}

async function main(): Promise<void> {
  rmSync(FUNCTIONS_DIR, { recursive: true, force: true });
  await Promise.all(Object.keys(RELAY_FUNCTIONS).map((name) => bundle(name as RelayFunctionName)));
  // Synth renders a team's templates against these payloads (`infra/template-samples.ts`); tsc copies no JSON.
  cpSync(join(PROJECT_ROOT, 'lambda', 'sources', 'samples'), join(PROJECT_ROOT, 'dist', 'lambda', 'sources', 'samples'), { recursive: true });
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

/**
 * The package as a consumer gets it: `npm pack` (which builds it), the tarball installed into a scratch CDK app in a
 * temporary folder, type-checked against the package's declarations, and synthesized with the construct next to the
 * app's own resources. The functions in that synth must be the standalone app's, byte for byte.
 *
 * Nothing here needs the network: the tarball's few dependencies come from the npm cache (`--prefer-offline`), and
 * `aws-cdk-lib` and `constructs`, the package's peers, are this repository's own copies, linked into a folder of their
 * own on NODE_PATH (so that a dependency the package forgot to declare is still missing).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { App } from 'aws-cdk-lib';
import { RelayStack } from '../../infra/relay-stack';
import { stackNameFor } from '../../infra/team-config';
import { exampleTeam } from '../infra/support/relay';

const run = promisify(execFile);
const PROJECT_ROOT = join(__dirname, '..', '..');
const PACKAGE = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
  name: string;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
};
/** Packing builds the package (tsc and esbuild), then the install, type-check and synth: about a minute on 2 cores. */
const SETUP_TIMEOUT_MS = 300_000;
/** The standalone stack bundles both functions with esbuild: seconds, more on a busy machine. */
const BUNDLING_TIMEOUT_MS = 120_000;

/** What `npm pack --json` says of the tarball. */
interface Packed {
  readonly filename: string;
  readonly size: number;
  readonly unpackedSize: number;
  readonly files: readonly { readonly path: string }[];
}

/**
 * The README's complete example ("Use it in your own CDK app"), as written: a user's app with their own bucket, topic
 * and alarm, and the relay wired to them.
 */
function readmeApp(): string {
  const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Use it in your own CDK app'));
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (code === undefined) throw new Error('the README has no TypeScript example under "Use it in your own CDK app"');
  return code;
}

/** Each Lambda function's asset: its template key (the content hash) and its bundle's bytes. */
function functionBundles(outdir: string, stackName: string): Map<string, Buffer> {
  const template = JSON.parse(readFileSync(join(outdir, `${stackName}.template.json`), 'utf8'));
  const bundles = new Map<string, Buffer>();
  for (const resource of Object.values<{ Type: string; Properties: { Code?: { S3Key?: string } } }>(template.Resources)) {
    const key = resource.Type === 'AWS::Lambda::Function' ? resource.Properties.Code?.S3Key : undefined;
    // CDK's own functions (the S3 notifications handler) are inline code, with no key.
    if (key === undefined) continue;
    const hash = key.replace(/\.zip$/, '');
    bundles.set(hash, readFileSync(join(outdir, `asset.${hash}`, 'index.js')));
  }
  return bundles;
}

/**
 * Every package the compiled code requires, and its declarations import (a consumer's type-check resolves those), by
 * name; the function bundles aside, which hold what they use.
 */
function importedPackages(dir: string): Set<string> {
  const names = new Set<string>();
  for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    if (!/\.(js|d\.ts)$/.test(entry) || entry.startsWith('functions')) continue;
    const text = readFileSync(join(dir, entry), 'utf8');
    const imports = /(?:require\(|import\(|from )["']([^"'.][^"']*)["']/g;
    for (const [, specifier] of text.matchAll(imports)) {
      const parts = specifier!.split('/');
      names.add(specifier!.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!);
    }
  }
  return names;
}

describe('the package', () => {
  let root: string;
  let packed: Packed;
  let scratch: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'relay-package-'));
    const { stdout } = await run('npm', ['pack', '--json', '--silent', '--pack-destination', root], {
      cwd: PROJECT_ROOT,
      maxBuffer: 16 * 1024 * 1024,
    });
    packed = (JSON.parse(stdout) as Packed[])[0]!;

    scratch = join(root, 'app');
    mkdirSync(scratch);
    writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'scratch-app', private: true }));
    // The peers are the consumer's to provide; `--legacy-peer-deps` leaves them to us instead of installing them.
    await run(
      'npm',
      ['install', '--prefer-offline', '--legacy-peer-deps', '--no-audit', '--no-fund', join(root, packed.filename)],
      { cwd: scratch },
    );
    const peers = join(root, 'peers', 'node_modules');
    mkdirSync(peers, { recursive: true });
    for (const peer of Object.keys(PACKAGE.peerDependencies)) {
      symlinkSync(join(PROJECT_ROOT, 'node_modules', peer), join(peers, peer));
    }
    writeFileSync(join(scratch, 'app.ts'), readmeApp());
    writeFileSync(
      join(scratch, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'commonjs',
          moduleResolution: 'bundler',
          target: 'ES2022',
          // As a CDK app's own tsconfig usually has it; the test above checks what the declarations import.
          skipLibCheck: true,
          types: [],
          outDir: 'out',
          // TypeScript does not read NODE_PATH: the peers' declarations are found through the same folder.
          paths: { '*': [`${peers}/*`] },
        },
        files: ['app.ts'],
      }),
    );
    await run(process.execPath, [join(PROJECT_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', scratch]);
    // As the CDK CLI runs an app: CDK_OUTDIR set, the app synthesizes there as it exits.
    await run(process.execPath, [join(scratch, 'out', 'app.js')], {
      cwd: scratch,
      env: { ...process.env, NODE_PATH: peers, CDK_OUTDIR: join(scratch, 'cdk.out') },
    });
  }, SETUP_TIMEOUT_MS);

  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('holds the compiled construct with its declarations, the prebuilt functions and the command line, and no sources or tests', () => {
    // Prepare
    const paths = packed.files.map((file) => file.path);

    // Assess
    expect(paths).toEqual(expect.arrayContaining([
      'package.json',
      'README.md',
      'dist/infra/index.js',
      'dist/infra/index.d.ts',
      'dist/infra/spaces-relay.d.ts',
      'dist/functions/ingest/index.js',
      'dist/functions/deliver/index.js',
      'dist/cli/main.js',
      'bin/spaces-relay.mjs',
      // Synth renders a team's templates against them.
      'dist/lambda/sources/samples/alertmanager.json',
    ]));
    expect(paths.filter((path) => /\.ts$/.test(path) && !path.endsWith('.d.ts'))).toEqual([]);
    expect(paths.filter((path) => !path.startsWith('dist/') && !['package.json', 'README.md', 'LICENSE', 'bin/spaces-relay.mjs'].includes(path))).toEqual([]);
  });

  it('declares every package its compiled code and its declarations import, or names it as a peer', () => {
    // Prepare
    const installed = join(scratch, 'node_modules', PACKAGE.name, 'dist');
    const declared = [...Object.keys(PACKAGE.dependencies), ...Object.keys(PACKAGE.peerDependencies)];

    // Act
    const required = importedPackages(installed);

    // Assess
    const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
    expect([...required].filter((name) => !builtins.has(name) && !declared.includes(name))).toEqual([]);
  });

  it('runs its command line as installed: spaces-relay --help lists every command', async () => {
    // Act: the bin npm linked, run from the consumer's folder as npx would
    const { stdout } = await run(process.execPath, [join(scratch, 'node_modules', '.bin', 'spaces-relay'), '--help'], { cwd: scratch });

    // Assess
    for (const command of ['render', 'send', 'test', 'doctor', 'dead-letters']) expect(stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
  });

  it("synthesizes in a user's app with the standalone app's function bundles, byte for byte", async () => {
    // Prepare: the standalone app's stack, bundled from source as `cdk synth` bundles it
    const outdir = join(root, 'standalone.out');
    const app = new App({ outdir });
    const team = exampleTeam();
    new RelayStack(app, stackNameFor(team.name), { team });
    app.synth();

    // Act
    const consumer = functionBundles(join(scratch, 'cdk.out'), 'Platform');
    const standalone = functionBundles(outdir, stackNameFor(team.name));

    // Assess
    expect(consumer.size).toBe(2);
    expect([...consumer.keys()].sort()).toEqual([...standalone.keys()].sort());
    for (const [hash, bytes] of consumer) expect(bytes.equals(standalone.get(hash)!)).toBe(true);
  }, BUNDLING_TIMEOUT_MS);
});

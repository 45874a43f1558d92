/**
 * The AWS SDK as the Lambda Node.js runtime provides it: a `node_modules` directory with the `@aws-sdk/*` packages and
 * exactly what they depend on, for a function's `NODE_PATH`. A bundle built with the SDK external (ingest) then finds
 * the SDK, and nothing else of this project: a dependency the bundle should carry but does not (middy, valibot,
 * Powertools) fails to load, as it would in Lambda.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';

/** A directory to put on `NODE_PATH`, and its removal. */
export interface SdkNodePath {
  readonly nodeModules: string;
  /** The packages linked into it, by name. */
  readonly packages: readonly string[];
  dispose(): void;
}

interface PackageJson {
  readonly dependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
}

/**
 * Where `require(name)` from inside `packageDir` finds `name`: the nearest `node_modules/<name>` walking up, as Node
 * resolves it, but no higher than the project's own `node_modules`.
 */
function locate(name: string, packageDir: string, projectModules: string): string | undefined {
  for (let dir = packageDir; dir.startsWith(projectModules); dir = dirname(dir)) {
    const candidate = dir.endsWith(`${sep}node_modules`) ? join(dir, name) : join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === projectModules) break;
  }
  return undefined;
}

/**
 * The top-level packages of `projectModules` that the `@aws-sdk/*` packages need, through their `dependencies` (and
 * peer and optional ones, where installed). A dependency installed inside a package's own `node_modules` comes with
 * that package; its own dependencies are followed all the same.
 */
export function sdkClosure(projectModules: string): string[] {
  const roots = readdirSync(join(projectModules, '@aws-sdk')).map((name) => `@aws-sdk/${name}`);
  const topLevel = new Set<string>();
  const visited = new Set<string>();
  const visit = (packageDir: string): void => {
    if (visited.has(packageDir)) return;
    visited.add(packageDir);
    const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as PackageJson;
    const required = Object.keys(manifest.dependencies ?? {});
    const optional = [...Object.keys(manifest.peerDependencies ?? {}), ...Object.keys(manifest.optionalDependencies ?? {})];
    for (const name of [...required, ...optional]) {
      const found = locate(name, packageDir, projectModules);
      if (!found) {
        if (required.includes(name)) {
          throw new Error(`${relative(projectModules, packageDir)} needs ${name}, which is not installed`);
        }
        continue;
      }
      // Only a top-level package needs a link of its own; a nested one is inside the package that has it.
      if (relative(projectModules, found) === join(name)) topLevel.add(name);
      visit(found);
    }
  };
  for (const name of roots) {
    topLevel.add(name);
    visit(join(projectModules, name));
  }
  return [...topLevel].sort();
}

/** A fresh `node_modules` with symbolic links to the SDK closure of `projectRoot`'s installed packages. */
export function awsSdkNodePath(projectRoot: string): SdkNodePath {
  const projectModules = realpathSync(join(projectRoot, 'node_modules'));
  const packages = sdkClosure(projectModules);
  const root = mkdtempSync(join(tmpdir(), 'relay-lambda-sdk-'));
  const nodeModules = join(root, 'node_modules');
  for (const name of packages) {
    const link = join(nodeModules, name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(join(projectModules, name), link, 'dir');
  }
  return { nodeModules, packages, dispose: () => rmSync(root, { recursive: true, force: true }) };
}

#!/usr/bin/env node
// `spaces-relay`: the built command line when the package was built (dist/), else its TypeScript through tsx, so
// that it works in a fresh clone after `npm ci` as well.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'cli', 'main.js');
const args = process.argv.slice(2);

const run = existsSync(built)
  ? spawnSync(process.execPath, [built, ...args], { stdio: 'inherit' })
  : spawnSync(process.execPath, [createRequire(import.meta.url).resolve('tsx/cli'), join(root, 'cli', 'main.ts'), ...args], {
      stdio: 'inherit',
    });
if (run.error) throw run.error;
process.exitCode = run.status ?? 1;

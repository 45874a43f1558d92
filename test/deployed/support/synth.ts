/**
 * Team configs synthesized the way a user synthesizes them: `cdk synth -c team=<name>` through the CDK CLI, cdk.json
 * and `infra/app.ts`, with esbuild bundling the functions. Only the teams directory differs (`-c teamsDir`), so the
 * tests choose the configs while the app code path stays the deployed one.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stackNameFor } from '../../../infra/team-config';
import type { CfnTemplate } from './cloudformation';

/** The repository root: where cdk.json is, and the CLI runs. */
export const PROJECT_ROOT = join(__dirname, '..', '..', '..');

/** One team's synthesized stack: its cloud assembly directory and its template. */
export interface SynthesizedStack {
  readonly team: string;
  readonly stackName: string;
  /** The cloud assembly: the template and the bundled function code (`asset.<hash>/index.js`). */
  readonly outdir: string;
  readonly template: CfnTemplate;
  /** The team config as written (before the app's defaults). */
  readonly config: Readonly<Record<string, unknown>>;
}

/** The stacks of a set of teams, and the removal of everything written for them. */
export interface Synthesis {
  readonly stacks: Readonly<Record<string, SynthesizedStack>>;
  dispose(): void;
}

/** The CLI's environment as a user without AWS credentials has it: the synth must not need any. */
function offlineEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (/^(AWS_|CDK_DEFAULT_)/.test(name)) delete env[name];
  return env;
}

/** Runs a command to its end; rejects with its output when it fails. */
function run(command: string, args: readonly string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: offlineEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output}`)),
    );
  });
}

/**
 * Writes `configs` (team name → config) as `<team>.json` into a fresh teams directory and synthesizes each team into
 * its own cloud assembly. The teams are synthesized side by side: each is a separate `cdk synth`, as a user runs it.
 */
export async function synthesizeTeams(configs: Readonly<Record<string, Readonly<Record<string, unknown>>>>): Promise<Synthesis> {
  const root = mkdtempSync(join(tmpdir(), 'relay-deployed-'));
  const teamsDir = join(root, 'teams');
  mkdirSync(teamsDir);
  for (const [team, config] of Object.entries(configs)) {
    writeFileSync(join(teamsDir, `${team}.json`), JSON.stringify(config, null, 2));
  }
  const dispose = () => rmSync(root, { recursive: true, force: true });
  // Every synth runs to its end before anything is removed, even when one of them fails.
  const results = await Promise.allSettled(
    Object.entries(configs).map(async ([team, config]): Promise<[string, SynthesizedStack]> => {
      const outdir = join(root, `cdk.out.${team}`);
      const cli = join(PROJECT_ROOT, 'node_modules', '.bin', 'cdk');
      await run(cli, ['synth', '-c', `team=${team}`, '-c', `teamsDir=${teamsDir}`, '--output', outdir, '--quiet'], PROJECT_ROOT);
      const stackName = stackNameFor(team);
      const template = JSON.parse(readFileSync(join(outdir, `${stackName}.template.json`), 'utf8')) as CfnTemplate;
      return [team, { team, stackName, outdir, template, config }];
    }),
  );
  const failure = results.find((result) => result.status === 'rejected');
  if (failure) {
    dispose();
    throw failure.reason;
  }
  const entries = results.map((result) => (result as PromiseFulfilledResult<[string, SynthesizedStack]>).value);
  return { stacks: Object.fromEntries(entries), dispose };
}

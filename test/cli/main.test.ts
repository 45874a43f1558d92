/** `spaces-relay`: the command list, help for it and for each command, unknown commands, and the installed bin. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { CliCommand } from '../../cli/command';
import { COMMANDS, runCli } from '../../cli/main';
import { capture } from './support/cli';

/** A command that records the arguments it was given. */
function recordingCommand(name: string): CliCommand & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    name,
    summary: `The ${name} command`,
    help: `usage: spaces-relay ${name}`,
    calls,
    run: async (args) => {
      calls.push([...args]);
      return 3;
    },
  };
}

describe('spaces-relay', () => {
  it('--help lists every registered command with its summary, and exits 0', async () => {
    // Prepare
    const { out, err, io } = capture();

    // Act
    const code = await runCli(['--help'], io);

    // Assess
    expect({ code, err }).toEqual({ code: 0, err: [] });
    expect(out[0]).toMatch(/^usage: spaces-relay <command>/);
    const listed = out.slice(out.indexOf('commands:') + 1).map((line) => line.trim().split(/ {2,}/));
    expect(listed).toEqual(COMMANDS.map((command) => [command.name, command.summary]));
  });

  it('runs the named command with the arguments after its name, and passes on its exit code', async () => {
    // Prepare
    const send = recordingCommand('send');
    const { io } = capture();

    // Act
    const code = await runCli(['send', 'generic', '-', '--team', 'ops'], io, [recordingCommand('doctor'), send]);

    // Assess
    expect(code).toBe(3);
    expect(send.calls).toEqual([['generic', '-', '--team', 'ops']]);
  });

  it.each([[['help', 'dead-letters']], [['dead-letters', '--help']]])('%j prints that command\'s help', async (argv) => {
    // Prepare
    const { out, io } = capture();

    // Act
    const code = await runCli(argv, io);

    // Assess
    expect(code).toBe(0);
    expect(out.join('\n')).toBe(COMMANDS.find((command) => command.name === 'dead-letters')!.help);
  });

  it('answers an unknown command with the command list and exit code 2', async () => {
    // Prepare
    const { out, err, io } = capture();

    // Act
    const code = await runCli(['sned', 'generic'], io);

    // Assess
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err[0]).toMatch(/^usage: spaces-relay <command>/);
    expect(err.at(-1)).toBe('error: unknown command "sned"');
  });

  it('without a command prints the list on stderr and exits 2', async () => {
    // Prepare
    const { out, err, io } = capture();

    // Act
    const code = await runCli([], io);

    // Assess
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err).toContain('commands:');
  });

  it('is installed as the package bin, which runs it from its TypeScript in a fresh clone', () => {
    // Prepare: the repository root, where `npx spaces-relay` finds the package's own bin.
    const root = join(__dirname, '..', '..');
    const bin = (require(join(root, 'package.json')) as { bin: Record<string, string> }).bin['spaces-relay']!;

    // Act
    const run = spawnSync(process.execPath, [bin, 'dead-letters', '--help'], { cwd: root, encoding: 'utf8' });

    // Assess
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    expect(run.stdout).toMatch(/^usage: spaces-relay dead-letters list --team <team>/);
  }, 30_000);
});

/**
 * `spaces-relay <command>`: the command list, `--help` for it and for each command, and the process around them.
 * Commands are registered in {@link COMMANDS} alone: adding one is one line there.
 */
import type { CliCommand, CliIo } from './command';
import { deadLetters } from './commands/dead-letters';
import { doctor } from './commands/doctor';
import { render } from './commands/render';
import { send } from './commands/send';
import { relayTest } from './commands/test';

/** Every command, in the order `spaces-relay --help` lists them. */
export const COMMANDS: readonly CliCommand[] = [render, send, relayTest, doctor, deadLetters];

const USAGE = 'usage: spaces-relay <command> [options]   (spaces-relay <command> --help for one command)';

/** The usage and one line per command. */
export function overview(commands: readonly CliCommand[]): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  return [
    USAGE,
    '',
    "Operates a team's spaces-relay stack: teams/<team>.json names it, AWS credentials come from the usual chain",
    '(AWS_PROFILE, SSO, environment), the region from the team config.',
    '',
    'commands:',
    ...commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
  ].join('\n');
}

/** Runs the command named first in `argv`; resolves to the exit code (2: the command line is wrong). */
export async function runCli(argv: readonly string[], io: CliIo, commands: readonly CliCommand[] = COMMANDS): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const wanted = name === 'help' ? commands.find((command) => command.name === args[0]) : undefined;
    if (wanted) {
      io.out(wanted.help);
      return 0;
    }
    (name === undefined ? io.err : io.out)(overview(commands));
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((candidate) => candidate.name === name);
  if (!command) {
    io.err(`${overview(commands)}\nerror: unknown command "${name}"`);
    return 2;
  }
  return command.run(args, io);
}

/** Lines to the process's streams. */
const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** Runs the command line on the process: its arguments, its streams, its exit code. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  // Not process.exit: it could cut off output still being written to a pipe.
  process.exitCode = await runCli(argv, processIo);
}

// Run as a script (tsx, or node on a CommonJS build); the bin imports `main` from a build of either module kind.
if (typeof require !== 'undefined' && require.main === module) void main();

/**
 * The contract of one `spaces-relay <command>`: `cli/main.ts` lists the commands, prints `--help` from their texts and
 * runs the one named. Commands write through `io` rather than to the process, so tests run them in-process and read
 * what they printed.
 */

/** Where a command writes: lines for people on `out`, problems and progress on `err`. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

export interface CliCommand {
  /** The word after `spaces-relay`. */
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** The whole `spaces-relay <name> --help` text: usage line, options, an example. */
  readonly help: string;
  /** Runs with the arguments after the command's name; resolves to the process exit code. */
  run(args: readonly string[], io: CliIo): Promise<number>;
}

/**
 * How a command fails: a {@link UsageError} is printed with the command's usage (exit 2), a {@link CliError} as the one
 * line that says what to do (exit 1), and AWS's usual refusals are turned into such a line too. Only an error nobody
 * foresaw keeps its stack trace.
 */
import { TeamConfigError } from '../infra/team-config';
import { CredentialError, SpacesError } from '../lambda/spaces/errors';
import type { CliCommand, CliIo } from './command';

/** A problem the user can fix; printed as its message alone. */
export class CliError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
  }
}

/** The command line itself is wrong; printed after the usage. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Prints `error` as its kind asks and returns the exit code: 2 for a usage error, else 1. */
export function reportError(error: unknown, usage: string, io: CliIo): number {
  if (error instanceof UsageError) {
    io.err(`${usage}\nerror: ${error.message}`);
    return 2;
  }
  const known = error instanceof Error ? userMessage(error) : undefined;
  io.err(known ?? String((error as Error)?.stack ?? error));
  return 1;
}

/** A one-line explanation of an error the user can fix, or undefined for one that needs its stack trace. */
export function userMessage(error: Error): string | undefined {
  if (error instanceof CliError || error instanceof TeamConfigError) return error.message;
  if (error instanceof SpacesError || error instanceof CredentialError) return error.message;
  if (error.name === 'CredentialsProviderError' || /credential/i.test(error.message)) {
    return (
      'no AWS credentials found: set AWS_PROFILE (after `aws sso login`) or ' +
      'AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY for the team account'
    );
  }
  if (/region is missing/i.test(error.message)) {
    return 'no AWS region: give the team config a region, pass --region, or set AWS_REGION';
  }
  if (/AccessDenied/.test(error.name)) {
    return `not allowed: ${error.message} (the README's CLI section lists the permissions each command needs)`;
  }
  if (/QueueDoesNotExist|NonExistentQueue/.test(error.name)) return `no such queue: ${error.message}`;
  return undefined;
}

/** The text of an error for a report line: its one-line explanation when there is one, else its message. */
export const reasonOf = (error: unknown): string => (error instanceof Error ? (userMessage(error) ?? error.message) : String(error));

/** What makes a command: its words, how it reads its arguments (`'help'` for `--help`) and what it does with them. */
export interface CommandSpec<R> {
  readonly name: string;
  readonly summary: string;
  readonly help: string;
  readonly usage: string;
  parse(args: readonly string[]): R | 'help';
  act(request: R, io: CliIo): Promise<number>;
}

/** A command that prints its help on `--help` and reports any error as its kind asks (see {@link reportError}). */
export function defineCommand<R>({ name, summary, help, usage, parse, act }: CommandSpec<R>): CliCommand {
  return {
    name,
    summary,
    help,
    run: async (args, io) => {
      try {
        const request = parse(args);
        if (request === 'help') {
          io.out(help);
          return 0;
        }
        return await act(request, io);
      } catch (error) {
        return reportError(error, usage, io);
      }
    },
  };
}

/**
 * Command lines read with Node's `util.parseArgs`, and `--help` texts written from the same option table, so that an
 * option and the sentence that explains it cannot drift apart.
 */
import { parseArgs } from 'node:util';
import { UsageError } from './errors';

/** An option as parseArgs takes it, with what `--help` says of it. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly multiple?: boolean;
  /** The placeholder shown after the flag: `<team>`. */
  readonly value?: string;
  /** One sentence, ending with a full stop. */
  readonly help: string;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

// As the team config checks its region: a typo fails here, not as an unreachable endpoint.
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

/** The options every team command takes. */
export const TEAM_OPTIONS = {
  team: {
    type: 'string',
    value: '<team>',
    help: 'The team: teams/<team>.json gives the region and spaces, the stack is SpacesRelay-<team>.',
  },
  region: {
    type: 'string',
    value: '<region>',
    help: "The AWS region, instead of the team config's region or else AWS_REGION or the profile's.",
  },
  help: { type: 'boolean', short: 'h', help: 'Print this help.' },
} as const satisfies OptionSpecs;

/** What {@link parseCommandLine} reads: named, so that the package's declarations can say it. */
export type ParsedCommandLine<T extends OptionSpecs> = ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>>;

/** Reads `args` against `options`; a {@link UsageError} says in one line what is wrong. */
export function parseCommandLine<T extends OptionSpecs>(args: readonly string[], options: T): ParsedCommandLine<T> {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    // Node's messages go on with advice about positionals; the first sentence is the one that matters here.
    if (String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS')) {
      throw new UsageError((error as Error).message.split('. ')[0]!);
    }
    throw error;
  }
}

/** `--header`, for the commands that post or preview a payload as its sender would; each command says what it is for. */
export const HEADER_OPTION = { type: 'string', short: 'H', multiple: true, value: "'<name>: <value>'" } as const;

/** `--header` values as headers, their names lower-cased as a request's are; one without a name and colon is a usage error. */
export function parseHeaders(lines: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon < 1) throw new UsageError(`--header "${line}": write it as "Name: value"`);
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/** `--team`, which a team command cannot do without. */
export function requiredTeam(team: string | undefined): string {
  if (team === undefined) throw new UsageError('say which team: --team <team>');
  return team;
}

/** `--region` as given, checked to look like a region. */
export function checkedRegion(region: string | undefined): string | undefined {
  if (region !== undefined && !REGION.test(region)) {
    throw new UsageError(`--region must be an AWS region such as eu-west-1, not "${region}"`);
  }
  return region;
}

/** A whole number above 0 given as `flag`'s value. */
export function positiveWholeNumber(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`${flag} must be a whole number above 0, not "${text}"`);
  return value;
}

/** What a command's `--help` prints. */
export interface HelpParts {
  /** The usage lines, each starting `spaces-relay <command>`. */
  readonly usage: readonly string[];
  /** What the command does, in a few lines. */
  readonly description: readonly string[];
  readonly options: OptionSpecs;
  readonly examples: readonly string[];
}

/** The usage lines as the first lines of the help and of a usage error. */
export function usageText(usage: readonly string[]): string {
  return usage.map((line, index) => `${index === 0 ? 'usage: ' : '       '}${line}`).join('\n');
}

/** The usage, the description, one line per option and the examples. */
export function helpText(parts: HelpParts): string {
  const rows = Object.entries(parts.options).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.value ? ` ${spec.value}` : ''}`;
    return [flag, spec.help] as const;
  });
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return [
    usageText(parts.usage),
    '',
    ...parts.description,
    '',
    'options:',
    ...rows.map(([flag, help]) => `  ${flag.padEnd(width)}  ${help}`),
    '',
    'examples:',
    ...parts.examples.map((example) => `  ${example}`),
  ].join('\n');
}

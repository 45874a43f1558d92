/**
 * `spaces-relay render <source> <payload.json|->`: the messages the relay would post for a payload, with a team's
 * settings applied, without sending anything — readable in a terminal, or as the bodyText HTML with `--html`. The
 * work is `previewPayload`'s, the same the local page's "try a payload" panel shows.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { STATE_TTL_SECONDS } from '../../infra/limits';
import { readTeam, ROUTE_SOURCES, TeamConfigError } from '../../infra/team-config';
import { functionSettings } from '../../infra/team-settings';
import { SidecarError, sidecarHeaders } from '../../lambda/local/fixture-catalog';
import { previewPayload, type PreviewedMessage, type PreviewSettings } from '../../lambda/render/preview';
import { readDeliverSettings } from '../../lambda/runtime/config';
import { ConfigError, HttpError } from '../../lambda/runtime/errors';
import type { CliCommand, CliIo } from '../command';
import { CliError } from '../errors';
import { requireSource } from '../team-stack';
import { terminalLines } from '../terminal-text';

/** Where the command reads from; tests give their own. */
export interface RenderInputs {
  /** The folder of the team configs (`teams/`). */
  readonly teamsDir: string;
  readonly readStdin: () => Promise<string>;
}

const USAGE = 'usage: spaces-relay render <source> <payload.json|-> [--channel <c>] [--team <t>] [--header "Name: value"]... [--html]';

const HELP = `${USAGE}

Shows the messages the relay would post for a payload, exactly as deliver would post them, without sending anything:
each message's status, title, fields and links, one post after the other when it takes several.

  <source>            a webhook source (alertmanager, grafana, github, …) or an AWS event source (cloudwatch, codebuild,
                      codepipeline, s3); see the README's Sources
  <payload.json|->    the body as the sender posts it, from a file or from standard input; the headers beside a file
                      in <payload>.headers.json (as in the fixtures) are sent with it
  --channel <c>       the channel the route would name (default: default)
  --team <t>          apply teams/<t>.json: its channels and per-source settings
  --header "N: v"     a header to send, such as "X-GitHub-Event: workflow_run" (repeatable; wins over the sidecar)
  --html              print each post's bodyText, the HTML Spaces receives

Exit status: 0 when the relay would accept the payload (also when it would post nothing), 1 when it would refuse it,
2 for a usage or team config problem.

example: spaces-relay render alertmanager test/fixtures/alertmanager/firing_single_alert_capture.json --team example`;

class UsageError extends Error {}

/** `--header` values as a record; a value without a colon is a usage error. */
function headerOptions(values: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    values.map((entry) => {
      const colon = entry.indexOf(':');
      if (colon <= 0) throw new UsageError(`--header "${entry}": write it as "Name: value"`);
      return [entry.slice(0, colon).trim(), entry.slice(colon + 1).trim()];
    }),
  );
}

/**
 * Deliver's settings for the team, through the same variables its stack sets; without a team, the defaults (one
 * `default` channel, no source settings).
 */
function settingsFor(teamsDir: string, teamName: string | undefined, source: string): PreviewSettings {
  if (teamName === undefined) return readDeliverSettings({ CHANNELS: JSON.stringify({ default: 'default' }), STATE_TTL_SECONDS: String(STATE_TTL_SECONDS) });
  const team = readTeam(teamsDir, teamName);
  // An AWS event source comes through the queue, not ingest: only a webhook source is turned on in "sources".
  if (ROUTE_SOURCES.includes(source)) requireSource(team, source);
  return readDeliverSettings(functionSettings(team.config).deliver);
}

/** One message as a terminal shows it: a heading line, then each post's lines, then the files it would attach. */
function describe(previewed: PreviewedMessage, index: number, count: number, html: boolean): string[] {
  const posts = previewed.bodyTexts.length;
  const heading = `── message ${index + 1} of ${count} · channel ${previewed.channel}${posts > 1 ? ` · ${posts} posts` : ''}`;
  const body = previewed.bodyTexts.flatMap((bodyText, part) => [
    ...(posts > 1 ? [`   post ${part + 1} of ${posts}`] : []),
    ...(html ? [bodyText] : terminalLines(bodyText)),
  ]);
  const files = previewed.message.attachments.map((file) =>
    file.kind === 's3' ? `  📎 s3://${file.bucket}/${file.key}` : `  📎 ${file.name ?? file.url} <${file.url}>`,
  );
  return [heading, ...body, ...files];
}

async function run(args: readonly string[], io: CliIo, inputs: RenderInputs): Promise<number> {
  let options;
  try {
    options = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        channel: { type: 'string' },
        team: { type: 'string' },
        header: { type: 'string', multiple: true, default: [] },
        html: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    io.err(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (options.values.help) {
    io.out(HELP);
    return 0;
  }
  const [source, payload, ...extra] = options.positionals;
  if (source === undefined || payload === undefined || extra.length > 0) {
    io.err(USAGE);
    return 2;
  }
  try {
    const settings = settingsFor(inputs.teamsDir, options.values.team, source);
    const body = payload === '-' ? await inputs.readStdin() : readFileSync(payload, 'utf8');
    const headers = { ...(payload === '-' ? {} : sidecarHeaders(payload)), ...headerOptions(options.values.header) };
    const messages = previewPayload({ source, body, channel: options.values.channel, headers }, settings);
    if (messages.length === 0) io.out('nothing to post: the relay acknowledges this payload without a message');
    messages.forEach((message, index) => describe(message, index, messages.length, options.values.html).forEach((line) => io.out(line)));
    return 0;
  } catch (error) {
    if (error instanceof CliError) {
      io.err(error.message);
      return 1;
    }
    if (error instanceof HttpError) {
      io.err(`the relay would refuse this payload (${error.statusCode}): ${error.message}`);
      return 1;
    }
    if (error instanceof UsageError || error instanceof SidecarError || error instanceof TeamConfigError || error instanceof ConfigError) {
      io.err(error.message);
      return 2;
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR') {
      io.err(`cannot read ${payload}: ${code === 'ENOENT' ? 'no such file' : 'a folder, not a file'}`);
      return 2;
    }
    throw error;
  }
}

async function standardInput(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** The command with its inputs given (tests). */
export function createRenderCommand(inputs: RenderInputs): CliCommand {
  return {
    name: 'render',
    summary: 'show the messages the relay would post for a payload, without sending them',
    help: HELP,
    run: (args, io) => run(args, io, inputs),
  };
}

/** `spaces-relay render`, reading team configs from `teams/` of the working directory (as every command) and `-` from standard input. */
export const renderCommand: CliCommand = createRenderCommand({
  teamsDir: resolve('teams'),
  readStdin: standardInput,
});

/**
 * `spaces-relay render <source> <payload.json|->`: the messages the relay would post for a payload, with a team's
 * settings applied, without sending anything — readable in a terminal, or as the bodyText HTML with `--html`. The
 * work is `previewPayload`'s, the same the local page's "try a payload" panel shows.
 */
import { ROUTE_SOURCES, type Team } from '../../infra/team-config';
import { SidecarError, sidecarHeaders } from '../../lambda/local/fixture-catalog';
import { previewPayload, type PreviewedMessage } from '../../lambda/render/preview';
import { HttpError } from '../../lambda/runtime/errors';
import type { CliCommand, CliIo } from '../command';
import { CliError, defineCommand, UsageError } from '../errors';
import { HEADER_OPTION, helpText, parseCommandLine, parseHeaders, TEAM_OPTIONS, usageText, type OptionSpecs } from '../options';
import { readPayload } from '../payload';
import { previewSettings } from '../team-preview';
import { DEFAULT_CONTEXT, requireSource, teamOf, type CliContext } from '../team-stack';
import { terminalLines } from '../terminal-text';

const OPTIONS = {
  channel: { type: 'string', value: '<channel>', help: 'The channel the route would name (default: default).' },
  team: { ...TEAM_OPTIONS.team, help: 'Apply teams/<team>.json: its channels, per-source settings, routes, templates and mentions.' },
  header: {
    ...HEADER_OPTION,
    help: 'A header to send, such as "X-GitHub-Event: workflow_run"; may be repeated, and wins over the sidecar.',
  },
  html: { type: 'boolean', help: "Print each post's bodyText, the HTML Spaces receives." },
  help: TEAM_OPTIONS.help,
} as const satisfies OptionSpecs;

const USAGE = ["spaces-relay render <source> <payload.json|-> [--channel <channel>] [--team <team>] [-H '<name>: <value>']... [--html]"];

const HELP = helpText({
  usage: USAGE,
  description: [
    'Shows the messages the relay would post for a payload, exactly as deliver would post them, without sending',
    "anything: each message's status, title, fields and links, one post after the other when it takes several.",
    "<source> is a webhook source (alertmanager, grafana, github, …) or an AWS event source (cloudwatch, codebuild,",
    "codepipeline, s3); see the README's Sources. <payload.json|-> is the body as the sender posts it, from a file or",
    'from standard input; the headers beside a file in <payload>.headers.json (as in the fixtures) are sent with it.',
    'Exit code 0 when the relay would accept the payload (also when it would post nothing), 1 when it would refuse it',
    'or the payload or team config cannot be used, 2 for a usage problem.',
  ],
  options: OPTIONS,
  examples: ['spaces-relay render alertmanager test/fixtures/alertmanager/firing_single_alert_capture.json --team example'],
});

/** What the command line asked for. */
interface RenderRequest {
  readonly source: string;
  readonly payload: string;
  readonly channel?: string;
  readonly team?: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly html: boolean;
}

function parseRequest(args: readonly string[]): RenderRequest | 'help' {
  const { values, positionals } = parseCommandLine(args, OPTIONS);
  if (values.help) return 'help';
  const [source, payload, ...extra] = positionals;
  if (source === undefined || payload === undefined) throw new UsageError('say what to render: <source> <payload.json|->');
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  return {
    source,
    payload,
    channel: values.channel,
    team: values.team,
    headers: parseHeaders(values.header ?? []),
    html: values.html ?? false,
  };
}

/** The command, with its teams and standard input from `context`. */
export function renderCommand(context: CliContext = DEFAULT_CONTEXT): CliCommand {
  return defineCommand({
    name: 'render',
    summary: 'Show the messages the relay would post for a payload, without sending them',
    help: HELP,
    usage: usageText(USAGE),
    parse: parseRequest,
    act: (request, io) => preview(request, context, io),
  });
}

/** The team, after checking that it turned the source on; an AWS event source comes through the queue, not ingest. */
function teamFor(request: RenderRequest, context: CliContext): Team | undefined {
  if (request.team === undefined) return undefined;
  const team = teamOf(context, request.team);
  if (ROUTE_SOURCES.includes(request.source)) requireSource(team, request.source);
  return team;
}

/** The headers of the payload's sidecar file, names lower-cased so that `--header` wins over them. */
function sidecarOf(payload: string): Record<string, string> {
  if (payload === '-') return {};
  try {
    return Object.fromEntries(Object.entries(sidecarHeaders(payload)).map(([name, value]) => [name.toLowerCase(), value]));
  } catch (error) {
    if (error instanceof SidecarError) throw new CliError(error.message, { cause: error });
    throw error;
  }
}

async function preview(request: RenderRequest, context: CliContext, io: CliIo): Promise<number> {
  const settings = previewSettings(teamFor(request, context));
  const body = (await readPayload(request.payload, context.stdin)).toString('utf8');
  const headers = { ...sidecarOf(request.payload), ...request.headers };
  let messages: PreviewedMessage[];
  try {
    messages = previewPayload({ source: request.source, body, channel: request.channel, headers }, settings);
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    io.err(`the relay would refuse this payload (${error.statusCode}): ${error.message}`);
    return 1;
  }
  if (messages.length === 0) io.out('nothing to post: the relay acknowledges this payload without a message');
  messages.forEach((message, index) => describe(message, index, messages.length, request.html).forEach((line) => io.out(line)));
  return 0;
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

/** `spaces-relay render`, as the installed command line runs it. */
export const render: CliCommand = renderCommand();

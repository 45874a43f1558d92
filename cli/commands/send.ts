/**
 * `spaces-relay send <source> <payload>`: one payload through the relay as its sender would post it. With `--team`
 * it goes through the team's deployed pipeline — the webhook API from the stack's `ApiUrl` output, proved with the
 * inbound secret behind `InboundSecretArn` in the source's own scheme — so ingest and deliver do the work exactly as
 * for a real sender. With `--url` (and `--token`) it goes to any relay: `npm start`, or a deployed API given by hand.
 */
import { ROUTE_SOURCES, type Team } from '../../infra/team-config';
import type { PreviewRequest } from '../../lambda/render/preview';
import { HttpError } from '../../lambda/runtime/errors';
import type { CliCommand, CliIo } from '../command';
import { defineCommand, UsageError } from '../errors';
import { checkedRegion, HEADER_OPTION, helpText, parseCommandLine, parseHeaders, TEAM_OPTIONS, usageText, type OptionSpecs } from '../options';
import { readPayload } from '../payload';
import { routedChannels } from '../team-preview';
import { channelSpace, DEFAULT_CONTEXT, openTeam, requireSource, senderAccess, type CliContext } from '../team-stack';
import { hookUrl, postWebhook, senderProof } from '../webhook';

const OPTIONS = {
  team: { ...TEAM_OPTIONS.team, help: "Post through the team's deployed webhook API, with its inbound secret." },
  url: {
    type: 'string',
    value: '<url>',
    help: 'Post to the relay at this address instead (http://127.0.0.1:3000 for npm start, or an API URL).',
  },
  token: { type: 'string', value: '<secret>', help: "With --url: the relay's inbound secret (npm start's WEBHOOK_TOKEN)." },
  channel: { type: 'string', value: '<channel>', help: 'Post to this channel instead of default: /hooks/<source>/<channel>.' },
  header: { ...HEADER_OPTION, help: 'A header the sender would send (X-GitHub-Event, Content-Type); may be repeated.' },
  region: TEAM_OPTIONS.region,
  help: TEAM_OPTIONS.help,
} as const satisfies OptionSpecs;

const USAGE = [
  "spaces-relay send <source> <payload.json|-> --team <team> [--channel <channel>] [-H '<name>: <value>']...",
  "spaces-relay send <source> <payload.json|-> --url <url> [--token <secret>] [--channel <channel>] [-H '<name>: <value>']...",
];

const HELP = helpText({
  usage: USAGE,
  description: [
    `Posts a payload (a file, or - for standard input) as <source> would: ${ROUTE_SOURCES.filter((s) => s !== 'sns').join(', ')}.`,
    "The sender's proof of the inbound secret is made for it: GitHub's and CircleCI's signatures over the exact bytes,",
    "GitLab's token, else Authorization: Bearer. A body that is not JSON goes as text/plain unless -H says otherwise.",
    "With --team it goes through the team's deployed API (stack output ApiUrl, secret InboundSecretArn), so ingest",
    "and deliver post it as they would a real sender's, to the channel's space or where the team's routes send it.",
    "Prints the relay's answer (what it queued, what its routes dropped); exit 1 if refused.",
  ],
  options: OPTIONS,
  examples: [
    'spaces-relay send alertmanager test/fixtures/alertmanager/resolved_three_alerts_capture.json --team payments',
    "echo 'Deploy finished' | spaces-relay send generic - --url http://127.0.0.1:3000",
    "spaces-relay send github push.json --team payments -H 'X-GitHub-Event: push' --channel ci",
  ],
});

/** What the command line asked for. */
interface SendRequest {
  readonly source: string;
  readonly payload: string;
  readonly channel?: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly target: { readonly team: string; readonly region?: string } | { readonly url: string; readonly token?: string };
}

function parseRequest(args: readonly string[]): SendRequest | 'help' {
  const { values, positionals } = parseCommandLine(args, OPTIONS);
  if (values.help) return 'help';
  const [source, payload, ...extra] = positionals;
  if (source === undefined || payload === undefined) throw new UsageError('say what to send: <source> <payload.json|->');
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  if (!ROUTE_SOURCES.includes(source)) {
    throw new UsageError(`"${source}" is not a webhook source: one of ${ROUTE_SOURCES.join(', ')}`);
  }
  if ((values.team === undefined) === (values.url === undefined)) throw new UsageError('say where to: --team <team> or --url <url>');
  if (values.token !== undefined && values.url === undefined) throw new UsageError('--token goes with --url; --team reads its secret');
  return {
    source,
    payload,
    channel: values.channel,
    headers: parseHeaders(values.header ?? []),
    target:
      values.team !== undefined
        ? { team: values.team, region: checkedRegion(values.region) }
        : { url: checkedUrl(values.url!), token: values.token },
  };
}

function checkedUrl(text: string): string {
  if (!URL.canParse(text) || !/^https?:$/.test(new URL(text).protocol)) {
    throw new UsageError(`--url must be an http(s) address such as http://127.0.0.1:3000, not "${text}"`);
  }
  return text;
}

/** The command, with its AWS clients, teams and standard input from `context`. */
export function sendCommand(context: CliContext = DEFAULT_CONTEXT): CliCommand {
  return defineCommand({
    name: 'send',
    summary: "Post a payload as a source would, through the team's deployed API or a local relay",
    help: HELP,
    usage: usageText(USAGE),
    parse: parseRequest,
    act: (request, io) => postPayload(request, context, io),
  });
}

/** Where the payload goes: the API's address, the inbound secret (if any), and the team whose relay it is (if known). */
interface Destination {
  readonly apiUrl: string;
  readonly secret?: string;
  readonly team?: Team;
}

async function destinationOf(request: SendRequest, context: CliContext): Promise<Destination> {
  if ('url' in request.target) return { apiUrl: request.target.url, secret: request.target.token };
  const target = openTeam(context, request.target.team, request.target.region);
  requireSource(target.team, request.source);
  channelSpace(target.team, request.channel ?? 'default');
  const { outputs, inboundSecret } = await senderAccess(target);
  return { apiUrl: outputs.ApiUrl, secret: inboundSecret, team: target.team };
}

/**
 * The spaces the team's routes send the payload's messages to, as `space <id> (channel <name>)`; undefined when the
 * preview cannot tell (it would refuse a payload that the relay took, as one sent compressed).
 */
function spacesFor(team: Team, request: PreviewRequest): string[] | undefined {
  let channels;
  try {
    channels = routedChannels(team, request);
  } catch (error) {
    if (error instanceof HttpError) return undefined;
    throw error;
  }
  return [...new Set(channels)].map((channel) => `space ${channelSpace(team, channel)} (channel ${channel})`);
}

async function postPayload(request: SendRequest, context: CliContext, io: CliIo): Promise<number> {
  const body = await readPayload(request.payload, context.stdin);
  const destination = await destinationOf(request, context);
  const url = hookUrl(destination.apiUrl, request.source, request.channel);
  const senderHeaders = { 'content-type': isJson(body) ? 'application/json' : 'text/plain; charset=utf-8', ...request.headers };
  const headers = {
    ...senderHeaders,
    ...(destination.secret === undefined ? {} : senderProof(request.source, body, destination.secret)),
  };
  const answer = await postWebhook(url, body, headers);
  if (answer.accepted) {
    const dropped = answer.dropped > 0 ? `, ${answer.dropped} dropped by the relay's routes` : '';
    io.out(`POST ${url} → ${answer.status}: accepted as ${answer.id}, ${answer.queued} notification(s) queued${dropped}`);
    const preview = { source: request.source, body: body.toString('utf8'), channel: request.channel, headers: senderHeaders };
    const spaces = answer.queued > 0 && destination.team ? spacesFor(destination.team, preview) : undefined;
    if (spaces?.length) io.out(`deliver posts it to ${spaces.join(' and ')} within seconds`);
    return 0;
  }
  io.err(`POST ${url} → ${answer.status} ${answer.error}: ${answer.message}`);
  if (answer.status === 401 && destination.secret === undefined) io.err("the relay wants its inbound secret: pass it with --token");
  return 1;
}

function isJson(body: Buffer): boolean {
  try {
    JSON.parse(body.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}

/** `spaces-relay send`, as the installed command line runs it. */
export const send: CliCommand = sendCommand();

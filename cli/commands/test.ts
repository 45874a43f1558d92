/**
 * `spaces-relay test --team <team>`: a smoke test of a deployed relay. It posts a generic test message through the
 * team's webhook API (stack output ApiUrl, inbound secret behind InboundSecretArn), then reads the space it goes to
 * (the channel's, or the one the team's routes send it to) with the team's Spaces token until the message shows
 * there: only then have ingest, the queue and deliver all done their part. Progress while it waits; exit 0 when it arrived, 1 when it did not, with where to look.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Team } from '../../infra/team-config';
import { DEFAULT_SPACES_API_URL } from '../../lambda/runtime/config';
import type { SpacesClient } from '../../lambda/spaces/client';
import type { CliCommand, CliIo } from '../command';
import { CliError, defineCommand, UsageError } from '../errors';
import {
  checkedRegion,
  helpText,
  parseCommandLine,
  positiveWholeNumber,
  requiredTeam,
  TEAM_OPTIONS,
  usageText,
  type OptionSpecs,
} from '../options';
import { routedChannels } from '../team-preview';
import { readOnlySpacesClient, readTeamCredential, usableCredential } from '../team-secrets';
import { channelSpace, DEFAULT_CONTEXT, deployHint, openTeam, requireSource, senderAccess, type CliContext, type TeamTarget } from '../team-stack';
import { hookUrl, postWebhook, senderProof } from '../webhook';

const DEFAULT_TIMEOUT_SECONDS = 120;
/** How many of the space's latest messages are looked through: a busy space may get a few while the test runs. */
const LOOK_BACK = 50;
const TEST_TITLE = 'spaces-relay test';
const JSON_HEADERS = { 'content-type': 'application/json' } as const;

const OPTIONS = {
  team: TEAM_OPTIONS.team,
  channel: { type: 'string', value: '<channel>', help: 'Test the space of this channel instead of default.' },
  timeout: {
    type: 'string',
    value: '<seconds>',
    help: `How long to wait for the message in the space (default ${DEFAULT_TIMEOUT_SECONDS}).`,
  },
  region: TEAM_OPTIONS.region,
  help: TEAM_OPTIONS.help,
} as const satisfies OptionSpecs;

const USAGE = ['spaces-relay test --team <team> [--channel <channel>] [--timeout <seconds>] [--region <region>]'];
const HELP = helpText({
  usage: USAGE,
  description: [
    "Posts a test message through the team's deployed webhook API, as the generic source, and waits until it shows in",
    "the channel's space (or the one the team's routes send it to), read with the team's Spaces token: proof that",
    'ingest, the queue and deliver all work. Exit code 0 when it arrived, 1 when it did not (then it says where to',
    'look) or when a route drops it. The team needs the generic source.',
  ],
  options: OPTIONS,
  examples: ['spaces-relay test --team payments', 'spaces-relay test --team payments --channel ci --timeout 300'],
});

/** What the command line asked for. */
interface TestRequest {
  readonly team: string;
  readonly region?: string;
  readonly channel: string;
  readonly timeoutMs: number;
}

function parseRequest(args: readonly string[]): TestRequest | 'help' {
  const { values, positionals } = parseCommandLine(args, OPTIONS);
  if (values.help) return 'help';
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  return {
    team: requiredTeam(values.team),
    region: checkedRegion(values.region),
    channel: values.channel ?? 'default',
    timeoutMs: 1000 * (values.timeout === undefined ? DEFAULT_TIMEOUT_SECONDS : positiveWholeNumber('--timeout', values.timeout)),
  };
}

/** The command, with its AWS clients, teams and Spaces from `context`. */
export function testCommand(context: CliContext = DEFAULT_CONTEXT): CliCommand {
  return defineCommand({
    name: 'test',
    summary: "Post a test message through a team's deployed relay and wait until it shows in the space",
    help: HELP,
    usage: usageText(USAGE),
    parse: parseRequest,
    act: (request, io) => smokeTest(request, context, io),
  });
}

/** The test message, as JSON for the generic source; its id is how it is found in the space. */
function testMessage(testId: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      title: TEST_TITLE,
      text: `Test message ${testId}, sent by spaces-relay test at ${new Date().toISOString()}: the relay delivers to this space.`,
      status: 'info',
    }),
  );
}

/**
 * The channel the team's routes send the test message to (the one asked for when no route matches it); an error that
 * says so when a route drops it, since it could then never arrive.
 */
function routedChannel(team: Team, channel: string, body: Buffer): string {
  const [routed] = routedChannels(team, { source: 'generic', body: body.toString('utf8'), channel, headers: JSON_HEADERS });
  if (routed !== undefined) return routed;
  throw new CliError(
    `a route in ${team.origin} drops the test message (source generic, title "${TEST_TITLE}"), so it could never arrive: ` +
      `put a route that sends it to a channel before the drop, such as {"match": {"title": "${TEST_TITLE}"}, "channel": "${channel}"}`,
  );
}

async function smokeTest(request: TestRequest, context: CliContext, io: CliIo): Promise<number> {
  const target = openTeam(context, request.team, request.region);
  requireSource(target.team, 'generic', 'the test message goes through the generic source');
  channelSpace(target.team, request.channel);
  const testId = `spaces-relay-test-${randomBytes(6).toString('hex')}`;
  const body = testMessage(testId);
  const channel = routedChannel(target.team, request.channel, body);
  const space = channelSpace(target.team, channel);
  // The token first: without it the test could post, but never see the message arrive.
  const credential = usableCredential(await readTeamCredential(target.clients.secretsManager, target.team.config.tokenSecret));
  const spacesApiUrl = context.spacesApiUrl(target.team);
  const spaces = readOnlySpacesClient(spacesApiUrl, target.team.config.tokenSecret, credential);
  const { outputs, inboundSecret } = await senderAccess(target, ['DashboardUrl']);

  const url = hookUrl(outputs.ApiUrl, 'generic', request.channel === 'default' ? undefined : request.channel);
  const started = Date.now();
  const answer = await postWebhook(url, body, {
    ...JSON_HEADERS,
    'idempotency-key': testId,
    ...senderProof('generic', body, inboundSecret),
  });
  if (!answer.accepted) {
    throw new CliError(`POST ${url} → ${answer.status} ${answer.error}: ${answer.message}; run spaces-relay doctor --team ${target.team.name}`);
  }
  if (answer.queued === 0) {
    // The team config lets it through, the deployed stack does not: its routes are older or newer than the config's.
    throw new CliError(
      `POST ${url} → accepted as ${answer.id}, but the deployed relay's routes dropped the test message (${answer.dropped} dropped, ` +
        `nothing queued) where ${target.team.origin} sends it to channel ${channel}: ${deployHint(target.team.name)}`,
    );
  }
  const where = `space ${space} (channel ${channel}${channel === request.channel ? '' : ", where the team's routes send it"})`;
  io.out(`posted ${testId} to ${url}: accepted as ${answer.id}`);
  io.out(`waiting for it in ${where}, up to ${request.timeoutMs / 1000} s`);
  const found = await waitForMessage(spaces, space, testId, started, request.timeoutMs, context.pollIntervalMs, io);
  const seconds = Math.round((Date.now() - started) / 1000);
  if (found !== undefined) {
    io.out(`✓ delivered in ${seconds} s: message ${found} in ${where}`);
    io.out(`look at it: ${spaceLink(spacesApiUrl, space)}`);
    return 0;
  }
  io.out(`✗ not in space ${space} after ${seconds} s; where to look:`);
  for (const line of whereToLook(target, outputs.DashboardUrl)) io.out(`  ${line}`);
  return 1;
}

/** The id of the space's message that carries `testId`, once it shows; undefined if it did not within `timeoutMs`. */
async function waitForMessage(
  spaces: SpacesClient,
  space: string,
  testId: string,
  started: number,
  timeoutMs: number,
  intervalMs: number,
  io: CliIo,
): Promise<string | undefined> {
  for (;;) {
    const found = (await spaces.recentMessages(space, LOOK_BACK)).find((message) => message.bodyText.includes(testId));
    if (found) return found.id;
    const elapsedMs = Date.now() - started;
    if (elapsedMs >= timeoutMs) return undefined;
    io.err(`  not there yet (${Math.round(elapsedMs / 1000)} s)`);
    await sleep(Math.min(intervalMs, timeoutMs - elapsedMs));
  }
}

/** The space in the Spaces web app when the team uses the default API host; else its id, to look up. */
function spaceLink(spacesApiUrl: string, space: string): string {
  return spacesApiUrl === DEFAULT_SPACES_API_URL ? `https://spaces.avayacloud.com/spaces/${space}` : `space ${space} at ${spacesApiUrl}`;
}

/** Where to look when the message did not arrive. */
function whereToLook(target: TeamTarget, dashboardUrl: string): string[] {
  const team = target.team.name;
  return [
    `spaces-relay doctor --team ${team}: the token, the space membership, the API, the dead letters`,
    `spaces-relay dead-letters list --team ${team}: what deliver gave up on, with the reason`,
    `the dashboard, ${dashboardUrl}: delivered, retried, dead-lettered, the queue's age`,
    "the deliver function's log group in CloudWatch Logs: a message still being retried says why",
  ];
}

/** `spaces-relay test`, as the installed command line runs it. */
export const relayTest: CliCommand = testCommand();

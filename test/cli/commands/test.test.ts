/**
 * `spaces-relay test` against a team's synthesized stack created in moto_server (outputs, inbound and token secrets),
 * the local relay as its API (the same ingest and deliver handlers), delivering to the contract-checking Spaces
 * server, which the command reads back with the token from the team's secret.
 */
import { rmSync } from 'node:fs';
import { testCommand } from '../../../cli/commands/test';
import type { AwsClients, CliContext } from '../../../cli/team-stack';
import type { LocalRelay } from '../../../lambda/local/server';
import { startMoto, type Moto } from '../../support/moto';
import { channels, startTestRelay } from '../../support/relay';
import { startSpacesServer, TEST_TOKEN, type RunningStandIn } from '../../support/spaces-server';
import { capture, motoClients, teamsDir, testContext } from '../support/cli';
import { createOutputsStack } from '../support/moto-team-stack';
import { CI_SPACE, createOpsStack, OPS_CONFIG, OPS_SPACE } from '../support/ops-team';

/** Routes that send every generic message to the ci channel, and routes that drop them all. */
const TO_CI = [{ match: { source: 'generic' }, channel: 'ci' }];
const DROP = [{ match: { source: 'generic' }, drop: true }];

describe('spaces-relay test', () => {
  let moto: Moto;
  let spaces: RunningStandIn;
  let relay: LocalRelay;
  /** Relays whose ingest applies the routes TO_CI and DROP. */
  let routingRelay: LocalRelay;
  let droppingRelay: LocalRelay;
  let clients: AwsClients;
  let dir: string;
  let context: CliContext;
  /** While set, Spaces refuses every post (deliver keeps retrying, and the message never shows). */
  let postsFail = false;

  beforeAll(async () => {
    [moto, spaces] = await Promise.all([
      startMoto(),
      startSpacesServer({ fault: (operation) => (postsFail && operation === 'post' ? { status: 503 } : undefined) }),
    ]);
    relay = await startTestRelay({
      spaces: { baseUrl: spaces.url, token: TEST_TOKEN },
      settings: channels(OPS_CONFIG.channels),
    });
    const relayWith = (routes: unknown) =>
      startTestRelay({
        spaces: { baseUrl: spaces.url, token: TEST_TOKEN },
        settings: { ...channels(OPS_CONFIG.channels), ROUTES: JSON.stringify(routes) },
      });
    [routingRelay, droppingRelay] = await Promise.all([relayWith(TO_CI), relayWith(DROP)]);
    clients = motoClients(moto);
    const ops = await createOpsStack(moto, clients, relay.url);
    // Stacks of teams that share the ops team's secrets, each with a relay of its own routes as its API.
    const stackOf = (team: string, api: LocalRelay) =>
      createOutputsStack(clients, `SpacesRelay-${team}`, {
        ApiUrl: `${api.url}/`,
        InboundSecretArn: ops.outputs.InboundSecretArn!,
        DashboardUrl: ops.outputs.DashboardUrl!,
      });
    await Promise.all([stackOf('routed', routingRelay), stackOf('stale', droppingRelay)]);
    dir = teamsDir({
      ops: OPS_CONFIG,
      quiet: { ...OPS_CONFIG, sources: ['alertmanager'] },
      routed: { ...OPS_CONFIG, routes: TO_CI },
      dropping: { ...OPS_CONFIG, routes: DROP },
      // Its config drops nothing; its deployed relay drops the test message.
      stale: OPS_CONFIG,
    });
    context = testContext({ teamsDir: dir, aws: () => clients, spacesApiUrl: () => spaces.url, pollIntervalMs: 100 });
  }, 120_000);

  afterAll(async () => {
    await Promise.all([relay?.close(), routingRelay?.close(), droppingRelay?.close(), spaces?.close(), moto?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('posts a test message through the API, sees it arrive in the space, says where it is, and exits 0', async () => {
    // Prepare
    const { out, io } = capture();

    // Act
    const code = await testCommand(context).run(['--team', 'ops', '--channel', 'ci'], io);

    // Assess
    expect(code).toBe(0);
    const posted = spaces.standIn.messages;
    expect(posted.map((message) => message.spaceId)).toEqual([CI_SPACE]);
    const testId = /spaces-relay-test-[0-9a-f]{12}/.exec(posted[0]!.bodyText)![0];
    expect(out).toEqual([
      expect.stringMatching(new RegExp(`^posted ${testId} to ${relay.url}/hooks/generic/ci: accepted as [0-9a-f-]{36}$`)),
      `waiting for it in space ${CI_SPACE} (channel ci), up to 120 s`,
      expect.stringMatching(new RegExp(`^✓ delivered in \\d+ s: message ${posted[0]!._id} in space ${CI_SPACE} \\(channel ci\\)$`)),
      `look at it: space ${CI_SPACE} at ${spaces.url}`,
    ]);
  });

  it('shows progress while it waits, and when the message does not arrive says where to look and exits 1', async () => {
    // Prepare
    postsFail = true;
    const { out, err, io } = capture();

    // Act
    const code = await testCommand(context).run(['--team', 'ops', '--timeout', '1'], io);

    // Assess
    postsFail = false;
    expect(code).toBe(1);
    expect(err.length).toBeGreaterThanOrEqual(2);
    for (const line of err) expect(line).toMatch(/^ {2}not there yet \(\d+ s\)$/);
    expect(out.slice(2)).toEqual([
      expect.stringMatching(new RegExp(`^✗ not in space ${OPS_SPACE} after \\d+ s; where to look:$`)),
      '  spaces-relay doctor --team ops: the token, the space membership, the API, the dead letters',
      '  spaces-relay dead-letters list --team ops: what deliver gave up on, with the reason',
      expect.stringMatching(/^ {2}the dashboard, https:\/\/console\.aws\.amazon\.com\/cloudwatch\/\S+SpacesRelay-ops-us-east-1: /),
      "  the deliver function's log group in CloudWatch Logs: a message still being retried says why",
    ]);
  });

  it('refuses a team without the generic source before posting anything, saying how to add it', async () => {
    // Prepare
    const { err, io } = capture();
    const before = spaces.standIn.calls.length;

    // Act
    const code = await testCommand(context).run(['--team', 'quiet'], io);

    // Assess
    expect(code).toBe(1);
    expect(err).toEqual([
      expect.stringMatching(/^the test message goes through the generic source: add "generic" to "sources" in \S*quiet\.json, then deploy it with `npx cdk deploy -c team=quiet`$/),
    ]);
    expect(spaces.standIn.calls.length).toBe(before);
  });

  it("waits in the space the team's routes send the test message to, and says so", async () => {
    // Prepare
    const { out, io } = capture();

    // Act
    const code = await testCommand(context).run(['--team', 'routed'], io);

    // Assess
    expect(code).toBe(0);
    const testId = /spaces-relay-test-[0-9a-f]{12}/.exec(out[0]!)![0];
    const posted = spaces.standIn.messages.filter((message) => message.bodyText.includes(testId));
    expect(posted.map((message) => message.spaceId)).toEqual([CI_SPACE]);
    expect(out.slice(1, 3)).toEqual([
      `waiting for it in space ${CI_SPACE} (channel ci, where the team's routes send it), up to 120 s`,
      expect.stringMatching(new RegExp(`^✓ delivered in \\d+ s: message \\w+ in space ${CI_SPACE} \\(channel ci, where the team's routes send it\\)$`)),
    ]);
  });

  it('refuses, before posting anything, when a route of the team drops the test message', async () => {
    // Prepare
    const { out, err, io } = capture();
    const before = spaces.standIn.calls.length;

    // Act
    const code = await testCommand(context).run(['--team', 'dropping'], io);

    // Assess
    expect({ code, out }).toEqual({ code: 1, out: [] });
    expect(err).toEqual([
      expect.stringMatching(
        /^a route in \S*dropping\.json drops the test message \(source generic, title "spaces-relay test"\), so it could never arrive: put a route that sends it to a channel before the drop, such as \{"match": \{"title": "spaces-relay test"\}, "channel": "default"\}$/,
      ),
    ]);
    expect(spaces.standIn.calls.length).toBe(before);
  });

  it("says so, without waiting, when the deployed relay's routes drop the test message", async () => {
    // Prepare
    const { out, err, io } = capture();

    // Act
    const code = await testCommand(context).run(['--team', 'stale'], io);

    // Assess
    expect({ code, out }).toEqual({ code: 1, out: [] });
    expect(err).toEqual([
      expect.stringMatching(
        /^POST \S+\/hooks\/generic → accepted as [0-9a-f-]{36}, but the deployed relay's routes dropped the test message \(1 dropped, nothing queued\) where \S*stale\.json sends it to channel default: deploy it with `npx cdk deploy -c team=stale`$/,
      ),
    ]);
  });
});

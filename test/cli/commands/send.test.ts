/**
 * `spaces-relay send`: to a local relay given by address, and through a team's stack — its outputs and inbound secret
 * in moto_server, its API the local relay (the same ingest and deliver handlers) — to the team's space. Only the
 * outputs and the secret matter to send; `doctor` and `test` run against the synthesized stack's resources.
 */
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { sendCommand } from '../../../cli/commands/send';
import type { AwsClients, CliContext } from '../../../cli/team-stack';
import type { LocalRelay } from '../../../lambda/local/server';
import { startMoto, type Moto } from '../../support/moto';
import { channels, startTestRelay, WEBHOOK_TOKEN } from '../../support/relay';
import { capture, motoClients, teamsDir, testContext } from '../support/cli';
import { createOutputsStack } from '../support/moto-team-stack';

const FIXTURES = join(__dirname, '..', '..', 'fixtures');
const OPS_SPACE = '0000000000000000000000a1';
const CI_SPACE = '0000000000000000000000b2';
const OPS_CONFIG = { channels: { default: OPS_SPACE }, tokenSecret: 'spaces-relay/ops/spaces-token', sources: ['github', 'generic'] };
/** Routes by a generic message's field "route": to the ci channel, or dropped. */
const ROUTES = [
  { match: { labels: { route: 'ci' } }, channel: 'ci' },
  { match: { labels: { route: 'drop' } }, drop: true },
];
const ROUTED_CONFIG = { ...OPS_CONFIG, channels: { default: OPS_SPACE, ci: CI_SPACE }, routes: ROUTES };

/** The stand-in's messages as text lines, by space. */
const posted = (relay: LocalRelay) => relay.standIn!.messages.map((message) => [message.spaceId, message.bodyText]);

describe('spaces-relay send', () => {
  let relay: LocalRelay;
  let moto: Moto;
  let clients: AwsClients;
  let dir: string;
  let context: CliContext;

  beforeAll(async () => {
    [relay, moto] = await Promise.all([
      startTestRelay({ settings: { ...channels(ROUTED_CONFIG.channels), ROUTES: JSON.stringify(ROUTES) } }),
      startMoto(),
    ]);
    clients = motoClients(moto);
    const secret = await clients.secretsManager.send(new CreateSecretCommand({ Name: 'ops-inbound', SecretString: WEBHOOK_TOKEN }));
    for (const team of ['ops', 'routed']) {
      await createOutputsStack(clients, `SpacesRelay-${team}`, {
        ApiUrl: `${relay.url}/`,
        InboundSecretArn: secret.ARN!,
        DeadLetterQueueUrl: `https://sqs.us-east-1.amazonaws.com/123456789012/SpacesRelay-${team}-DeadLetters`,
      });
    }
    dir = teamsDir({ ops: OPS_CONFIG, quiet: { ...OPS_CONFIG, sources: ['generic'] }, routed: ROUTED_CONFIG });
  }, 60_000);

  afterAll(async () => {
    await Promise.all([relay?.close(), moto?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    relay.standIn!.messages.length = 0;
    context = testContext({ teamsDir: dir, aws: () => clients, stdin: async () => Buffer.from('Deploy finished') });
  });

  /** Waits until deliver has posted `count` messages (the local queue hands them over within about a second). */
  async function postedCount(count: number): Promise<void> {
    for (let waited = 0; relay.standIn!.messages.length < count && waited < 10_000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('sends standard input as text to a relay given by address, with its token, and prints its answer', async () => {
    // Prepare
    const { out, err, io } = capture();

    // Act
    const code = await sendCommand(context).run(['generic', '-', '--url', relay.url, '--token', WEBHOOK_TOKEN], io);

    // Assess
    expect({ code, err }).toEqual({ code: 0, err: [] });
    expect(out).toEqual([
      expect.stringMatching(new RegExp(`^POST ${relay.url}/hooks/generic → 202: accepted as [0-9a-f-]{36}, 1 notification\\(s\\) queued$`)),
    ]);
    await postedCount(1);
    expect(posted(relay)).toEqual([[OPS_SPACE, expect.stringContaining('<p>Deploy finished</p>')]]);
  });

  it("prints the relay's refusal and says what is missing when the secret is not given, exiting 1", async () => {
    // Prepare
    const { out, err, io } = capture();

    // Act
    const code = await sendCommand(context).run(['generic', '-', '--url', relay.url], io);

    // Assess
    expect({ code, out }).toEqual({ code: 1, out: [] });
    expect(err).toEqual([
      expect.stringMatching(new RegExp(`^POST ${relay.url}/hooks/generic → 401 unauthorized: missing Authorization header`)),
      'the relay wants its inbound secret: pass it with --token',
    ]);
  });

  it("signs a GitHub delivery with the team's inbound secret and posts it through the team's API to its space", async () => {
    // Prepare
    const { out, err, io } = capture();
    const payload = join(FIXTURES, 'github', 'workflow_run_completed_success.json');

    // Act
    const code = await sendCommand(context).run(['github', payload, '--team', 'ops', '-H', 'X-GitHub-Event: workflow_run'], io);

    // Assess
    expect({ code, err }).toEqual({ code: 0, err: [] });
    expect(out).toEqual([
      expect.stringMatching(new RegExp(`^POST ${relay.url}/hooks/github → 202: accepted as \\S+, 1 notification\\(s\\) queued$`)),
      `deliver posts it to space ${OPS_SPACE} (channel default) within seconds`,
    ]);
    await postedCount(1);
    expect(posted(relay)).toEqual([[OPS_SPACE, expect.stringContaining('SUCCEEDED')]]);
  });

  it("names the space the team's routes send the payload to", async () => {
    // Prepare
    const { out, err, io } = capture();
    const stdin = async () => Buffer.from(JSON.stringify({ text: 'Deploy finished', fields: { route: 'ci' } }));

    // Act
    const code = await sendCommand({ ...context, stdin }).run(['generic', '-', '--team', 'routed'], io);

    // Assess
    expect({ code, err }).toEqual({ code: 0, err: [] });
    expect(out).toEqual([
      expect.stringMatching(new RegExp(`^POST ${relay.url}/hooks/generic → 202: accepted as \\S+, 1 notification\\(s\\) queued$`)),
      `deliver posts it to space ${CI_SPACE} (channel ci) within seconds`,
    ]);
    await postedCount(1);
    expect(posted(relay)).toEqual([[CI_SPACE, expect.stringContaining('Deploy finished')]]);
  });

  it("reports what the relay's routes dropped, and names no space when nothing was queued", async () => {
    // Prepare
    const { out, err, io } = capture();
    const stdin = async () => Buffer.from(JSON.stringify({ text: 'Deploy finished', fields: { route: 'drop' } }));

    // Act
    const code = await sendCommand({ ...context, stdin }).run(['generic', '-', '--team', 'routed'], io);

    // Assess
    expect({ code, err }).toEqual({ code: 0, err: [] });
    expect(out).toEqual([
      expect.stringMatching(
        new RegExp(`^POST ${relay.url}/hooks/generic → 202: accepted as \\S+, 0 notification\\(s\\) queued, 1 dropped by the relay's routes$`),
      ),
    ]);
  });

  it('refuses a source the team did not turn on, before posting anything', async () => {
    // Prepare
    const { err, io } = capture();

    // Act
    const code = await sendCommand(context).run(['github', '-', '--team', 'quiet'], io);

    // Assess
    expect(code).toBe(1);
    expect(err).toEqual([
      expect.stringMatching(/\/quiet\.json does not turn on github: add it to "sources" there, then deploy it with `npx cdk deploy -c team=quiet`$/),
    ]);
  });

  it.each([
    [['generic', '-'], 'say where to: --team <team> or --url <url>'],
    [['generic'], 'say what to send: <source> <payload.json|->'],
    [['s3', '-', '--team', 'ops'], /^error: "s3" is not a webhook source: one of alertmanager, /],
    [['generic', '-', '--team', 'ops', '--channel', 'ci'], /^error: --channel ci is not one of \S+\/ops\.json's channels \(default\)$/],
    [['generic', '-', '--team', 'ops', '--channel', 'constructor'], /^error: --channel constructor is not one of \S+\/ops\.json's channels/],
    [['generic', '-', '--url', 'ftp://relay'], '--url must be an http(s) address such as http://127.0.0.1:3000, not "ftp://relay"'],
  ])('refuses %j with the usage, and exits 2', async (argv, reason) => {
    // Prepare
    const { err, io } = capture();

    // Act
    const code = await sendCommand(context).run(argv, io);

    // Assess
    expect(code).toBe(2);
    expect(err[0]).toMatch(/^usage: spaces-relay send /);
    expect(err.at(-1)).toEqual(typeof reason === 'string' ? `error: ${reason}` : expect.stringMatching(reason));
    expect(relay.standIn!.messages).toEqual([]);
  });
});

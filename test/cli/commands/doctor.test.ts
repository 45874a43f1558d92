/**
 * `spaces-relay doctor` against a team's synthesized stack created in moto_server (queues, table, secrets, outputs),
 * the contract-checking Spaces server as the team's Spaces, and the local relay as its API.
 */
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { SubscribeCommand, UnsubscribeCommand } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { rmSync } from 'node:fs';
import { doctorCommand } from '../../../cli/commands/doctor';
import type { AwsClients, CliContext } from '../../../cli/team-stack';
import { sqsDeadLetters } from '../../../lambda/deliver/dead-letter';
import type { LocalRelay } from '../../../lambda/local/server';
import { startMoto, type Moto } from '../../support/moto';
import { startTestRelay } from '../../support/relay';
import { startSpacesServer, type RunningStandIn } from '../../support/spaces-server';
import { capture, motoClients, teamsDir, testContext } from '../support/cli';
import { CI_SPACE, createOpsStack, OPS_CONFIG, OPS_SPACE } from '../support/ops-team';
import type { MotoTeamStack } from '../support/moto-team-stack';


describe('spaces-relay doctor', () => {
  let moto: Moto;
  let spaces: RunningStandIn;
  let relay: LocalRelay;
  let clients: AwsClients;
  let stack: MotoTeamStack;
  let dir: string;
  let context: CliContext;
  /** Spaces the token's user is not a member of: Spaces answers them 403. */
  const notMemberOf = new Set<string>();

  beforeAll(async () => {
    [moto, spaces, relay] = await Promise.all([
      startMoto(),
      startSpacesServer({
        fault: (_operation, request) =>
          [...notMemberOf].some((space) => request.url?.includes(`/api/spaces/${space}/`))
            ? { status: 403, body: { message: 'not a member of this space' } }
            : undefined,
      }),
      startTestRelay(),
    ]);
    clients = motoClients(moto);
    stack = await createOpsStack(moto, clients, relay.url);
    // What the stack subscribes itself (the delivery queue), and one person.
    const queueArn = (await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: stack.outputs.DeadLetterQueueUrl!, AttributeNames: ['QueueArn'] })))
      .Attributes!.QueueArn!;
    await clients.sns.send(new SubscribeCommand({ TopicArn: stack.outputs.AlarmTopicArn!, Protocol: 'sqs', Endpoint: queueArn }));
    await clients.secretsManager.send(new CreateSecretCommand({ Name: 'spaces-relay/stale/spaces-token', SecretString: 'an-old-token-123' }));
    dir = teamsDir({
      ops: OPS_CONFIG,
      stale: { ...OPS_CONFIG, tokenSecret: 'spaces-relay/stale/spaces-token' },
      fresh: { ...OPS_CONFIG, tokenSecret: 'spaces-relay/fresh/spaces-token' },
    });
    context = testContext({ teamsDir: dir, aws: () => clients, spacesApiUrl: () => spaces.url });
  }, 120_000);

  afterAll(async () => {
    await Promise.all([relay?.close(), spaces?.close(), moto?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes every check of a healthy relay, one ✓ line each, and exits 0', async () => {
    // Prepare: someone subscribed to the alarms.
    const subscription = await clients.sns.send(
      new SubscribeCommand({ TopicArn: stack.outputs.AlarmTopicArn!, Protocol: 'email', Endpoint: 'oncall@example.com', ReturnSubscriptionArn: true }),
    );
    const { out, err, io } = capture();

    // Act
    const code = await doctorCommand(context).run(['--team', 'ops'], io);

    // Assess
    await clients.sns.send(new UnsubscribeCommand({ SubscriptionArn: subscription.SubscriptionArn! }));
    expect({ code, err }).toEqual({ code: 0, err: [] });
    expect(out).toEqual([
      'team ops: stack SpacesRelay-ops in us-east-1',
      '✓ token secret spaces-relay/ops/spaces-token: readable, a bearer token',
      `✓ the token works: ${spaces.url} knows it as Relay Bot (5f0000000000000000000001)`,
      `✓ Relay Bot is a member of space ${OPS_SPACE} (channel default)`,
      `✓ Relay Bot is a member of space ${CI_SPACE} (channel ci)`,
      `✓ the API answers at ${relay.url}/hooks/generic: ingest took the inbound secret and refused the empty probe (400, nothing queued)`,
      "✓ the relay's alarms reach someone: 1 confirmed subscription(s) (email)",
      '✓ the dead-letter queue is empty',
      'all 7 checks passed',
    ]);
    expect({ queued: relay.queue.depth, posted: relay.standIn!.messages }).toEqual({ queued: 0, posted: [] });
  });

  it('says what to do for a space it is not a member of, alarms nobody hears and waiting dead letters, and exits 1', async () => {
    // Prepare
    notMemberOf.add(CI_SPACE);
    await sqsDeadLetters(clients.sqs, stack.outputs.DeadLetterQueueUrl!).send('{"n":1}', 'Spaces post failed: HTTP 403');
    const { out, io } = capture();

    // Act
    const code = await doctorCommand(context).run(['--team', 'ops'], io);

    // Assess
    notMemberOf.clear();
    expect(code).toBe(1);
    expect(out.filter((line) => line.startsWith('✗'))).toEqual([
      `✗ Relay Bot is a member of space ${CI_SPACE} (channel ci): no, Spaces answered 403; invite Relay Bot to the space`,
      expect.stringMatching(
        /^✗ the relay's alarms reach someone: no, only the team's space hears of them; list emails, httpsEndpoints or topicArns under alarmSubscriptions in \S*\/ops\.json and deploy$/,
      ),
      '✗ the dead-letter queue is empty: no, 1 notification(s) wait there; see why with spaces-relay dead-letters list ' +
        '--team ops, and once fixed send them back with spaces-relay dead-letters redrive --team ops',
    ]);
    expect(out.at(-1)).toBe('3 of 7 checks failed');
  });

  it('names a refused token, leaves the spaces unchecked, and says how to deploy a stack that is missing', async () => {
    // Prepare
    const { out, io } = capture();

    // Act
    const code = await doctorCommand(context).run(['--team', 'stale'], io);

    // Assess
    expect(code).toBe(1);
    expect(out).toEqual([
      'team stale: stack SpacesRelay-stale in us-east-1',
      '✓ token secret spaces-relay/stale/spaces-token: readable, a bearer token',
      '✗ the token works: Spaces credential: Spaces refused the token in spaces-relay/stale/spaces-token (401): put a ' +
        'working one with aws secretsmanager put-secret-value --secret-id spaces-relay/stale/spaces-token; check ' +
        "spacesApiUrl in the team config if it is not the tenant's region",
      `✗ member of space ${OPS_SPACE} (channel default): not checked, the token does not work`,
      `✗ member of space ${CI_SPACE} (channel ci): not checked, the token does not work`,
      '✗ the stack: stack SpacesRelay-stale not found in us-east-1: deploy it with `npx cdk deploy -c team=stale`, ' +
        'or pass --region <region> if it is elsewhere',
      '4 of 5 checks failed',
    ]);
    expect(out.join('\n')).not.toContain('an-old-token-123');
  });

  it('says how to create a token secret that does not exist', async () => {
    // Prepare
    const { out, io } = capture();

    // Act
    const code = await doctorCommand(context).run(['--team', 'fresh'], io);

    // Assess
    expect(code).toBe(1);
    expect(out[1]).toBe(
      '✗ token secret spaces-relay/fresh/spaces-token: the token secret spaces-relay/fresh/spaces-token does not exist in ' +
        'us-east-1: create it (README, Deploy) or check the region',
    );
  });

  it('says where to run it when there are no team configs', async () => {
    // Prepare: a working directory outside the repository.
    const { err, io } = capture();
    const elsewhere = testContext({ teamsDir: '/nonexistent/teams', aws: () => clients });

    // Act
    const code = await doctorCommand(elsewhere).run(['--team', 'ops'], io);

    // Assess
    expect(code).toBe(1);
    expect(err).toEqual(['no team configs in /nonexistent/teams: run spaces-relay in the repository, where teams/<team>.json is']);
  });

  it('asks for a team', async () => {
    // Prepare
    const { err, io } = capture();

    // Act
    const code = await doctorCommand(context).run([], io);

    // Assess
    expect(code).toBe(2);
    expect(err).toEqual(['usage: spaces-relay doctor --team <team> [--region <region>]', 'error: say which team: --team <team>']);
  });
});

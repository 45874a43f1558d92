/**
 * `spaces-relay dead-letters`: the listing against SQS and CloudFormation as moto_server serves them; the move task,
 * which moto_server does not implement, against mocked SDK clients; and the command without credentials at all.
 */
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListDeadLetterSourceQueuesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
  UnsupportedOperation,
} from '@aws-sdk/client-sqs';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { deadLettersCommand } from '../../../cli/commands/dead-letters';
import type { CliIo } from '../../../cli/command';
import { awsClients, type AwsClients, type CliContext } from '../../../cli/team-stack';
import { sqsDeadLetters } from '../../../lambda/deliver/dead-letter';
import { startMoto, type Moto } from '../../support/moto';
import { capture, motoClients, teamsDir, testContext } from '../support/cli';

const TEMPLATE = JSON.stringify({
  Resources: {
    DeadLetters: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'payments-dlq' } },
    Deliveries: {
      Type: 'AWS::SQS::Queue',
      Properties: {
        QueueName: 'payments-deliveries',
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['DeadLetters', 'Arn'] }, maxReceiveCount: 5 },
      },
    },
  },
  // As the relay stack has it: the DLQ is an output; the queue is found through its redrive policy.
  Outputs: { DeadLetterQueueUrl: { Value: { Ref: 'DeadLetters' } } },
});

/** Runs the command as `spaces-relay dead-letters <argv>` would, with `context`. */
const runDeadLetters = (argv: string[], io: CliIo, context: CliContext) => deadLettersCommand(context).run(argv, io);

async function messageCounts(sqs: SQSClient, queueUrl: string): Promise<{ visible: number; inFlight: number }> {
  const result = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(result.Attributes?.ApproximateNumberOfMessages),
    inFlight: Number(result.Attributes?.ApproximateNumberOfMessagesNotVisible),
  };
}

describe('dead letters listed against moto_server', () => {
  let moto: Moto;
  let clients: AwsClients;
  let context: CliContext;
  let dir: string;

  beforeAll(async () => {
    moto = await startMoto();
    clients = motoClients(moto);
    await clients.cloudFormation.send(new CreateStackCommand({ StackName: 'SpacesRelay-payments', TemplateBody: TEMPLATE }));
    dir = teamsDir({ payments: {}, listed: {}, nobody: {} });
    context = testContext({ teamsDir: dir, aws: () => clients });
  }, 30_000);

  afterAll(async () => {
    await moto?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists each dead letter with its reason or "receives exhausted", counts by reason, and leaves all in place', async () => {
    // Prepare: what deliver dead-letters itself, with a reason, and what SQS moved after 5 receives, without one.
    const stack = await clients.cloudFormation.send(new DescribeStacksCommand({ StackName: 'SpacesRelay-payments' }));
    const dlqUrl = stack.Stacks![0]!.Outputs!.find((o) => o.OutputKey === 'DeadLetterQueueUrl')!.OutputValue!;
    const queueUrl = (await clients.sqs.send(new GetQueueUrlCommand({ QueueName: 'payments-deliveries' }))).QueueUrl!;
    const deadLetters = sqsDeadLetters(clients.sqs, dlqUrl);
    for (let i = 0; i < 8; i += 1) await deadLetters.send(`{"n":${i}}`, 'Spaces post failed: HTTP 403');
    for (let i = 8; i < 12; i += 1) await deadLetters.send(`{"n":${i}}`, 'unknown channel "ops"');
    for (let i = 12; i < 15; i += 1) {
      await clients.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: `{"n":${i}}` }));
    }
    for (let receive = 0; receive < 6; receive += 1) {
      await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }));
    }
    const { out, err, io: output } = capture();

    // Act
    const code = await runDeadLetters(['redrive', '--team', 'payments', '--dry-run'], output, context);

    // Assess
    expect({ code, err }).toEqual({ code: 0, err: [] });
    expect(out[0]).toBe(`15 message(s) waiting in ${dlqUrl}`);
    const listed = out.filter((line) => /^ {2}[0-9a-f-]{36} {2}/.test(line));
    expect(listed).toHaveLength(15);
    expect(new Set(listed.map((line) => line.trim().split(/\s+/)[0])).size).toBe(15);
    expect(listed.filter((line) => line.endsWith('  Spaces post failed: HTTP 403'))).toHaveLength(8);
    expect(listed.filter((line) => line.endsWith('  unknown channel "ops"'))).toHaveLength(4);
    expect(listed.filter((line) => /  receives exhausted \(\d+ receives\)$/.test(line))).toHaveLength(3);
    expect(out.slice(out.indexOf('by reason:'))).toEqual([
      'by reason:',
      '      8  Spaces post failed: HTTP 403',
      '      4  unknown channel "ops"',
      '      3  receives exhausted',
      `dry run: listed 15, moved nothing; a redrive moves every one waiting to ${queueUrl}`,
    ]);
    // The look hides each message for a second only: then all are back, and none went to the queue.
    await sleep(1_500);
    expect(await messageCounts(clients.sqs, dlqUrl)).toEqual({ visible: 15, inFlight: 0 });
    expect(await messageCounts(clients.sqs, queueUrl)).toEqual({ visible: 0, inFlight: 0 });
  }, 30_000);

  it('lists no more than --max, from queues given by URL', async () => {
    // Prepare: a DLQ of 25 and its queue, outside any stack.
    const dlqUrl = (await clients.sqs.send(new CreateQueueCommand({ QueueName: 'given-dlq' }))).QueueUrl!;
    const queueUrl = (await clients.sqs.send(new CreateQueueCommand({ QueueName: 'given-queue' }))).QueueUrl!;
    const deadLetters = sqsDeadLetters(clients.sqs, dlqUrl);
    for (let i = 0; i < 25; i += 1) await deadLetters.send(`{"n":${i}}`, 'Spaces post failed: HTTP 404');
    const { out, io: output } = capture();

    // Act
    const code = await runDeadLetters(['redrive', '--dlq-url', dlqUrl, '--queue-url', queueUrl, '--dry-run', '--max', '12'], output, context);

    // Assess
    expect(code).toBe(0);
    expect(out.filter((line) => /^ {2}[0-9a-f-]{36} {2}Spaces post failed: HTTP 404$/.test(line))).toHaveLength(12);
    expect(out).toContain('     12  Spaces post failed: HTTP 404');
    expect(out.at(-1)).toBe(`dry run: listed 12, moved nothing; a redrive moves every one waiting to ${queueUrl}`);
  }, 30_000);

  it('names the stack it could not find, and where it looked', async () => {
    // Prepare
    const { err, io: output } = capture();

    // Act
    const code = await runDeadLetters(['list', '--team', 'nobody'], output, context);

    // Assess
    expect(code).toBe(1);
    expect(err).toEqual([
      'stack SpacesRelay-nobody not found in us-east-1: deploy it with `npx cdk deploy -c team=nobody`, ' +
        'or pass --region <region> if it is elsewhere',
    ]);
  });

  it('list shows the dead letters of a team and says how to send them back', async () => {
    // Prepare: a team's DLQ found through its stack, holding two refused notifications.
    await clients.cloudFormation.send(new CreateStackCommand({ StackName: 'SpacesRelay-listed', TemplateBody: TEMPLATE.replaceAll('payments-', 'listed-') }));
    const dlqUrl = (await clients.sqs.send(new GetQueueUrlCommand({ QueueName: 'listed-dlq' }))).QueueUrl!;
    const deadLetters = sqsDeadLetters(clients.sqs, dlqUrl);
    for (let i = 0; i < 2; i += 1) await deadLetters.send(`{"n":${i}}`, 'unknown channel "ops"');
    const { out, err, io: output } = capture();

    // Act
    const code = await runDeadLetters(['list', '--team', 'listed'], output, context);

    // Assess
    expect({ code, err }).toEqual({ code: 0, err: [] });
    expect(out[0]).toMatch(/^2 message\(s\) waiting in \S+\/123456789012\/listed-dlq$/);
    expect(out.filter((line) => /^ {2}[0-9a-f-]{36} {2}unknown channel "ops"$/.test(line))).toHaveLength(2);
    expect(out.slice(-2)).toEqual([
      '      2  unknown channel "ops"',
      'once the cause is fixed, send them back with: spaces-relay dead-letters redrive --team listed',
    ]);
  }, 30_000);
});

describe('redrive with a move task (SQS mocked: moto_server has no move tasks)', () => {
  const DLQ_URL = 'https://sqs.ap-southeast-2.amazonaws.com/123456789012/SpacesRelay-payments-DeadLetters';
  const QUEUE_URL = 'https://sqs.ap-southeast-2.amazonaws.com/123456789012/SpacesRelay-payments-Queue';
  const DLQ_ARN = 'arn:aws:sqs:ap-southeast-2:123456789012:SpacesRelay-payments-DeadLetters';
  const QUEUE_ARN = 'arn:aws:sqs:ap-southeast-2:123456789012:SpacesRelay-payments-Queue';
  let sqs: AwsClientStub<SQSClient>;
  let cloudFormation: AwsClientStub<CloudFormationClient>;
  let dir: string;
  let context: CliContext;

  beforeAll(() => {
    // Mocked here only: the moto_server tests above need the real clients.
    sqs = mockClient(SQSClient);
    cloudFormation = mockClient(CloudFormationClient);
    dir = teamsDir({ payments: { region: 'ap-southeast-2' }, plain: {} });
    context = testContext({ teamsDir: dir, aws: awsClients });
  });

  afterAll(() => {
    sqs.restore();
    cloudFormation.restore();
    rmSync(dir, { recursive: true, force: true });
  });

  // The SDK reads AWS_REGION only when a client first needs its region, which may be after a test's command is done.
  const suiteRegion = process.env.AWS_REGION;
  afterEach(() => {
    process.env.AWS_REGION = suiteRegion;
  });

  beforeEach(() => {
    sqs.reset();
    cloudFormation.reset();
    cloudFormation.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'SpacesRelay-payments',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: [{ OutputKey: 'DeadLetterQueueUrl', OutputValue: DLQ_URL }],
        },
      ],
    });
    sqs.on(ListDeadLetterSourceQueuesCommand, { QueueUrl: DLQ_URL }).resolves({ queueUrls: [QUEUE_URL] });
    sqs.on(GetQueueAttributesCommand, { QueueUrl: DLQ_URL }).resolves({ Attributes: { QueueArn: DLQ_ARN } });
    sqs.on(GetQueueAttributesCommand, { QueueUrl: QUEUE_URL }).resolves({ Attributes: { QueueArn: QUEUE_ARN } });
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-1' });
  });

  it('moves from the DLQ to the delivery queue, both named by ARN, and follows the task until COMPLETED', async () => {
    // Prepare: the task is not counted yet, then half way, then done.
    sqs
      .on(ListMessageMoveTasksCommand)
      .resolvesOnce({ Results: [{ Status: 'RUNNING', TaskHandle: 'task-1', ApproximateNumberOfMessagesMoved: 0 }] })
      .resolvesOnce({
        Results: [
          { Status: 'RUNNING', TaskHandle: 'task-1', ApproximateNumberOfMessagesMoved: 10, ApproximateNumberOfMessagesToMove: 23 },
        ],
      })
      .resolves({
        Results: [{ Status: 'COMPLETED', ApproximateNumberOfMessagesMoved: 23, ApproximateNumberOfMessagesToMove: 23 }],
      });
    const { out, err, io: output } = capture();

    // Act
    const code = await runDeadLetters(['redrive', '--team', 'payments'], output, context);

    // Assess
    expect({ code, err }).toEqual({ code: 0, err: [] });
    expect(sqs.commandCalls(StartMessageMoveTaskCommand).map((call) => call.args[0].input)).toEqual([
      { SourceArn: DLQ_ARN, DestinationArn: QUEUE_ARN },
    ]);
    const looks = sqs.commandCalls(ListMessageMoveTasksCommand).map((call) => call.args[0].input.SourceArn);
    expect(looks).toEqual([DLQ_ARN, DLQ_ARN, DLQ_ARN]);
    expect(out).toEqual([
      `started moving ${DLQ_URL} to ${QUEUE_URL} (task task-1)`,
      'following it; Ctrl-C stops following, not the move',
      'RUNNING: 0 of ? moved',
      'RUNNING: 10 of 23 moved',
      'COMPLETED: 23 of 23 moved',
      `done: 23 message(s) moved to ${QUEUE_URL}`,
    ]);
  });

  it('reports a FAILED task with its reason in one line, and exits 1', async () => {
    // Prepare
    sqs.on(ListMessageMoveTasksCommand).resolves({
      Results: [
        {
          Status: 'FAILED',
          ApproximateNumberOfMessagesMoved: 4,
          ApproximateNumberOfMessagesToMove: 23,
          FailureReason: 'AWS.SimpleQueueService.NonExistentQueue',
        },
      ],
    });
    const { out, err, io: output } = capture();

    // Act
    const code = await runDeadLetters(['redrive', '--team', 'payments'], output, context);

    // Assess
    expect(code).toBe(1);
    expect(out.at(-1)).toBe('FAILED: 4 of 23 moved');
    expect(err).toEqual(['the move task failed: AWS.SimpleQueueService.NonExistentQueue']);
  });

  it('with --no-wait, starts the task and returns without following it', async () => {
    // Prepare
    const { out, io: output } = capture();

    // Act
    const code = await runDeadLetters(['redrive', '--team', 'payments', '--no-wait'], output, context);

    // Assess
    expect(code).toBe(0);
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)).toHaveLength(1);
    expect(sqs.commandCalls(ListMessageMoveTasksCommand)).toHaveLength(0);
    expect(out.at(-1)).toBe(`follow it with: aws sqs list-message-move-tasks --source-arn ${DLQ_ARN}`);
  });

  it('says in one line that SQS would not start a second move task', async () => {
    // Prepare
    sqs
      .on(StartMessageMoveTaskCommand)
      .rejects(new UnsupportedOperation({ message: 'There is already a task running.', $metadata: {} }));
    const { err, io: output } = capture();

    // Act
    const code = await runDeadLetters(['redrive', '--team', 'payments'], output, context);

    // Assess
    expect(code).toBe(1);
    expect(err).toEqual([
      `SQS would not start moving ${DLQ_URL}: There is already a task running.` +
        " (a move task may already be running on it, or it is no queue's dead-letter queue)",
    ]);
  });

  it.each([
    ["the team config's region", ['--team', 'payments'], 'ap-southeast-2'],
    ['--region over the team config', ['--team', 'payments', '--region', 'us-west-2'], 'us-west-2'],
    ['AWS_REGION for a team config without one', ['--team', 'plain'], 'ca-central-1'],
  ])('talks to CloudFormation and SQS in %s', async (_, argv, region) => {
    // Prepare: an AWS_REGION unlike any other here (afterEach puts the suite's back).
    process.env.AWS_REGION = 'ca-central-1';
    const { io: output } = capture();

    // Act
    const code = await runDeadLetters(['redrive', ...argv, '--no-wait'], output, context);

    // Assess
    expect(code).toBe(0);
    const calls = [...cloudFormation.calls(), ...sqs.calls()];
    expect(calls.length).toBeGreaterThanOrEqual(5);
    const clientOf = (call: (typeof calls)[number]) => call.thisValue as { config: { region: () => Promise<string> } };
    const regions = await Promise.all(calls.map((call) => clientOf(call).config.region()));
    expect(new Set(regions)).toEqual(new Set([region]));
  });

  it.each([['--help'], ['-h']])('%s prints the usage and one sentence for every option, and exits 0', async (flag) => {
    // Prepare
    const { out, err, io: output } = capture();

    // Act
    const code = await runDeadLetters([flag], output, context);

    // Assess
    expect({ code, err }).toEqual({ code: 0, err: [] });
    expect(out[0]).toBe('usage: spaces-relay dead-letters list --team <team> [--max <n>] [--region <region>]');
    const options = out.filter((line) => /^ {2}-/.test(line));
    expect(options.map((line) => line.trim().split(/ {2,}/)[0])).toEqual([
      '--team <team>',
      '--dlq-url <url>',
      '--queue-url <url>',
      '--region <region>',
      '--dry-run',
      '--max <n>',
      '--no-wait',
      '-h, --help',
    ]);
    for (const line of options) expect(line).toMatch(/ {2}[A-Z][^]*\.$/);
    expect(sqs.calls()).toHaveLength(0);
  });

  it('refuses an unknown option with the usage and a one-line error, and exits 2', async () => {
    // Prepare
    const { out, err, io: output } = capture();

    // Act
    const code = await runDeadLetters(['redrive', '--team', 'payments', '--dry-rnu'], output, context);

    // Assess
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err[0]).toMatch(/^usage: /);
    expect(err.filter((line) => line.startsWith('error: '))).toEqual(["error: Unknown option '--dry-rnu'"]);
    expect(err.at(-1)).toBe("error: Unknown option '--dry-rnu'");
    expect(sqs.calls()).toHaveLength(0);
  });

  it.each([
    [[], 'say what to do: list or redrive'],
    [['move', '--team', 'payments'], 'unknown action "move": list or redrive'],
    [['list'], 'say whose dead letters: --team <team> or --dlq-url <url>'],
    [['list', '--team', 'payments', '--dry-run'], '--dry-run only applies to redrive; list moves nothing'],
    [['redrive', '--team', 'payments', '--max', '3'], '--max only applies to a listing'],
  ])('refuses %j with the reason, and exits 2', async (argv, reason) => {
    // Prepare
    const { err, io: output } = capture();

    // Act
    const code = await runDeadLetters(argv, output, context);

    // Assess
    expect(code).toBe(2);
    expect(err.at(-1)).toBe(`error: ${reason}`);
    expect(sqs.calls()).toHaveLength(0);
  });
});

describe('dead-letters without credentials', () => {
  it('says plainly that AWS credentials are missing', () => {
    // Prepare: no credentials anywhere, no instance metadata, and no AWS_REGION: the example team config has one.
    const env = { PATH: process.env.PATH, HOME: '/nonexistent', AWS_EC2_METADATA_DISABLED: 'true' };

    // Act
    const run = spawnSync(process.execPath, ['bin/spaces-relay.mjs', 'dead-letters', 'list', '--team', 'example'], {
      cwd: join(__dirname, '../../..'),
      env,
      encoding: 'utf8',
    });

    // Assess
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('no AWS credentials found: set AWS_PROFILE');
    expect(run.stderr).not.toContain('    at ');
  }, 30_000);
});

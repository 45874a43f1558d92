/** `npm run redrive` against SQS and CloudFormation as moto_server serves them, and without credentials at all. */
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetQueueAttributesCommand, GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { sqsDeadLetters } from '../../lambda/deliver/dead-letter';
import { parseOptions, redrive, RedriveError, type RedriveClients } from '../../scripts/redrive';
import { startMoto, type Moto } from '../support/moto';

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

async function depth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const result = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
  return Number(result.Attributes?.ApproximateNumberOfMessages);
}

describe('redrive', () => {
  let moto: Moto;
  let clients: RedriveClients;
  let dlqUrl: string;
  let queueUrl: string;

  beforeAll(async () => {
    moto = await startMoto();
    clients = { sqs: new SQSClient(moto.clientConfig), cloudFormation: new CloudFormationClient(moto.clientConfig) };
    await clients.cloudFormation.send(new CreateStackCommand({ StackName: 'SpacesRelay-payments', TemplateBody: TEMPLATE }));
    const stack = await clients.cloudFormation.send(new DescribeStacksCommand({ StackName: 'SpacesRelay-payments' }));
    dlqUrl = stack.Stacks![0]!.Outputs!.find((o) => o.OutputKey === 'DeadLetterQueueUrl')!.OutputValue!;
    queueUrl = (await clients.sqs.send(new GetQueueUrlCommand({ QueueName: 'payments-deliveries' }))).QueueUrl!;
  }, 30_000);

  afterAll(async () => {
    await moto?.stop();
  });

  it('finds the team stack queues and moves every dead letter back, leaving nothing behind', async () => {
    // Prepare: 23 dead letters as deliver leaves them, with their reasons.
    const deadLetters = sqsDeadLetters(clients.sqs, dlqUrl);
    for (let i = 0; i < 23; i += 1) await deadLetters.send(`{"n":${i}}`, `Spaces post failed: HTTP 403 — case ${i}`);
    const dry: string[] = [];
    const lines: string[] = [];

    // Act
    const dryMoved = await redrive(parseOptions(['--team', 'payments', '--dry-run']), clients, (line) => dry.push(line));
    const afterDry = await depth(clients.sqs, dlqUrl);
    const moved = await redrive(parseOptions(['--team', 'payments']), clients, (line) => lines.push(line));

    // Assess
    expect(dryMoved).toBe(0);
    expect(afterDry).toBe(23);
    expect(dry.join('\n')).toMatch(/HTTP 403 — case \d+/);
    expect(dry.at(-1)).toBe(`dry run: would move 23 message(s) to ${queueUrl}`);
    expect(moved).toBe(23);
    expect(lines).toContain('moved 10/23');
    expect(await depth(clients.sqs, dlqUrl)).toBe(0);
    const bodies = new Set<string>();
    for (let round = 0; round < 5 && bodies.size < 23; round += 1) {
      const received = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
      for (const message of received.Messages ?? []) bodies.add(message.Body!);
    }
    expect(bodies).toEqual(new Set(Array.from({ length: 23 }, (_, i) => `{"n":${i}}`)));
  }, 30_000);

  it('names the stack it could not find', async () => {
    // Act
    const attempt = redrive(parseOptions(['--team', 'nobody']), clients, () => undefined);

    // Assess
    await expect(attempt).rejects.toThrow(new RedriveError('stack SpacesRelay-nobody not found in this account/region; pass --stack <name> if it is named otherwise'));
  });

  it('says plainly that AWS credentials are missing', () => {
    // Prepare: no credentials anywhere, and no instance metadata to fall back on.
    const env = { PATH: process.env.PATH, HOME: '/nonexistent', AWS_REGION: 'eu-west-1', AWS_EC2_METADATA_DISABLED: 'true' };

    // Act
    const run = spawnSync(join(__dirname, '../../node_modules/.bin/tsx'), ['scripts/redrive.ts', '--team', 'payments'], {
      cwd: join(__dirname, '../..'),
      env,
      encoding: 'utf8',
    });

    // Assess
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('no AWS credentials found: set AWS_PROFILE');
    expect(run.stderr).not.toContain('    at ');
  }, 30_000);
});

/** Dead-letter reasons quote errors: every one is redacted on its way in, whatever the platform. */
import { S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { REASON_ATTRIBUTE, redactingDeadLetters, sqsDeadLetters, type DeadLetters } from '../../lambda/deliver/dead-letter';
import { deliverDependencies } from '../../lambda/deliver/dependencies';
import { MemoryPersistenceLayer } from '../../lambda/deliver/idempotency';
import { MemoryStateStore } from '../../lambda/deliver/state-store';
import { readDeliverSettings } from '../../lambda/runtime/config';
import { localTokenSecret } from '../../lambda/spaces/credentials';

/** Dead letters that keep what they are sent. */
function kept(): DeadLetters & { readonly letters: { body: string; reason: string }[] } {
  const letters: { body: string; reason: string }[] = [];
  return { letters, send: async (body, reason) => void letters.push({ body, reason }) };
}

it('redacts the reason, not the body that is to be redriven', async () => {
  // Prepare
  const inner = kept();
  const body = '{"message":"Authorization: Bearer abcdef123456 in the payload"}';

  // Act
  await redactingDeadLetters(inner).send(body, 'Spaces post failed: HTTP 403 — Authorization: Bearer abcdef123456');

  // Assess
  expect(inner.letters).toEqual([{ body, reason: 'Spaces post failed: HTTP 403 — Authorization: Bearer [redacted]' }]);
});

it('is how the composition root hands deliver any platform’s dead letters', async () => {
  // Prepare
  const inner = kept();
  const settings = readDeliverSettings({ CHANNELS: '{"default":"space-1"}', STATE_TTL_SECONDS: '3600' });
  const deps = deliverDependencies(settings, {
    tokenSecret: localTokenSecret('local-token-for-dead-letters'),
    persistence: new MemoryPersistenceLayer(),
    store: new MemoryStateStore(),
    deadLetters: inner,
    visibility: { change: async () => undefined },
    s3: new S3Client({}),
  });

  // Act
  await deps.deadLetters.send('{}', 'refused: https://user:pass@spaces.example/api token=t0ken');

  // Assess
  expect(inner.letters).toEqual([{ body: '{}', reason: 'refused: https://spaces.example/api token=[redacted]' }]);
});

it('cuts a long reason for the SQS attribute without keeping half of a character, which SQS would refuse', async () => {
  // Prepare
  const sqs = mockClient(SQSClient);
  sqs.on(SendMessageCommand).resolves({ MessageId: 'dlq-1' });
  const reason = `${'x'.repeat(999)}🔥 and more`;

  // Act
  await sqsDeadLetters(new SQSClient({ region: 'eu-west-1' }), 'https://sqs.eu-west-1.amazonaws.com/123456789012/dlq').send('{}', reason);

  // Assess
  const sent = sqs.commandCalls(SendMessageCommand)[0]!.args[0].input.MessageAttributes![REASON_ATTRIBUTE]!.StringValue!;
  expect(sent).toBe(`${'x'.repeat(999)}…`);
  sqs.restore();
});

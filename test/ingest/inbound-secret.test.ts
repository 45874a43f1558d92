/**
 * Rotating the inbound secret without losing a webhook: ingest, built by its composition root, reading a secret that is
 * rotated in Secrets Manager (moto_server) while it runs.
 */
import { randomUUID } from 'node:crypto';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { ingestDependencies } from '../../lambda/ingest/dependencies';
import {
  inboundSecrets,
  REREAD_INTERVAL_MS,
  SECRET_MAX_AGE_MS,
  type InboundSecretStore,
} from '../../lambda/ingest/inbound-secret';
import { ingestWebhook } from '../../lambda/ingest/intake';
import { secretsManagerSecret } from '../../lambda/ingest/secrets-manager-secret';
import type { QueuedNotification } from '../../lambda/model/notification';
import { readIngestSettings } from '../../lambda/runtime/config';
import { logger } from '../../lambda/runtime/logger';
import { REDACTED, redact } from '../../lambda/runtime/redact';
import { hmacSha256Hex } from '../../lambda/security/hmac';
import type { InboundRequest } from '../../lambda/sources/source';
import { fixtureBytes, fixtureSidecar, webhookRequest } from '../support/fixtures';
import { startMoto, type Moto } from '../support/moto';
import { onlyDateMoves } from '../support/redrive';

const OLD = 'old-inbound-secret-0123456789';
const NEW = 'new-inbound-secret-9876543210';
const MINUTE = 60_000;

/** How each kind of sender proves it holds a secret, and what it is told when the secret is wrong (as before rotation). */
const SENDERS: [string, (secret: string) => InboundRequest, string][] = [
  [
    'a shared-secret sender (generic, Bearer)',
    (secret) => webhookRequest('/hooks/generic', '{"text":"disk full"}', { Authorization: `Bearer ${secret}`, 'User-Agent': 'curl/8.5.0' }),
    'the webhook secret does not match',
  ],
  [
    "GitHub (HMAC-SHA256 of the body)",
    (secret) => {
      const body = fixtureBytes('github', 'workflow_run_completed_success.json');
      const { headers } = fixtureSidecar('github', 'workflow_run_completed_success.json');
      return webhookRequest('/hooks/github', body, { ...headers, 'X-Hub-Signature-256': `sha256=${hmacSha256Hex(secret, body)}` });
    },
    'X-Hub-Signature-256 does not match the body: check the webhook secret',
  ],
];

let moto: Moto;
let client: SecretsManagerClient;

beforeAll(async () => {
  moto = await startMoto();
  client = new SecretsManagerClient(moto.clientConfig);
});
afterAll(async () => {
  client.destroy();
  await moto.stop();
});
afterEach(() => {
  jest.useRealTimers();
  jest.restoreAllMocks();
});

/** Ingest as deployed, over a fresh secret holding `OLD`: its grace period, the reads of the secret it makes, what it queued. */
async function relayWithSecret(graceMinutes: number) {
  const { ARN } = await client.send(new CreateSecretCommand({ Name: `inbound-${randomUUID()}`, SecretString: OLD }));
  const store = secretsManagerSecret(client, ARN!);
  let reads = 0;
  const counted: InboundSecretStore = {
    current: () => {
      reads += 1;
      return store.current();
    },
    previous: () => store.previous(),
  };
  const settings = readIngestSettings({
    CHANNELS: JSON.stringify({ default: 'space-1' }),
    INBOUND_SECRET_GRACE_MINUTES: String(graceMinutes),
  });
  const queued: QueuedNotification[] = [];
  const deps = ingestDependencies(settings, { inboundSecret: counted, enqueue: async (n) => void queued.push(...n) });
  return {
    send: (request: InboundRequest) => ingestWebhook(request, deps),
    /** Puts a new value, as `aws secretsmanager put-secret-value` does; answers when the new version was created. */
    rotate: async (value: string): Promise<number> => {
      await client.send(new PutSecretValueCommand({ SecretId: ARN, SecretString: value }));
      const { CreatedDate } = await client.send(new GetSecretValueCommand({ SecretId: ARN }));
      return CreatedDate!.getTime();
    },
    reads: () => reads,
    queued,
  };
}

describe.each(SENDERS)('rotating the inbound secret, for %s', (_sender, signedWith, mismatch) => {
  it('accepts the previous value during the grace period and refuses it after', async () => {
    // Prepare
    const relay = await relayWithSecret(60);
    expect((await relay.send(signedWith(OLD))).statusCode).toBe(202);
    const rotatedAt = await relay.rotate(NEW);

    // Act
    onlyDateMoves(rotatedAt + 59 * MINUTE, { frozen: true });
    const during = await relay.send(signedWith(OLD));
    onlyDateMoves(rotatedAt + 61 * MINUTE, { frozen: true });
    const after = await relay.send(signedWith(OLD));
    const current = await relay.send(signedWith(NEW));

    // Assess
    expect(during.statusCode).toBe(202);
    expect(after).toEqual({ statusCode: 401, body: { error: 'unauthorized', message: mismatch } });
    expect(current.statusCode).toBe(202);
  });

  it('accepts the new value at once after a rotation, though the old one is cached', async () => {
    // Prepare: the old value read and cached
    const relay = await relayWithSecret(60);
    expect((await relay.send(signedWith(OLD))).statusCode).toBe(202);
    await relay.rotate(NEW);

    // Act
    const answer = await relay.send(signedWith(NEW));

    // Assess: one read to fill the cache, one for the request that matched nothing in it
    expect(answer.statusCode).toBe(202);
    expect(relay.reads()).toBe(2);
    expect(relay.queued).toHaveLength(2);
  });

  it('refuses a wrong value before and after a rotation, with the answer it always gave', async () => {
    // Prepare
    const relay = await relayWithSecret(60);

    // Act
    const before = await relay.send(signedWith('a-guess'));
    await relay.rotate(NEW);
    onlyDateMoves(Date.now() + REREAD_INTERVAL_MS, { frozen: true });
    const after = await relay.send(signedWith('a-guess'));

    // Assess
    for (const answer of [before, after]) {
      expect(answer).toEqual({ statusCode: 401, body: { error: 'unauthorized', message: mismatch } });
    }
    expect(relay.queued).toHaveLength(0);
  });

  it('without a grace period, refuses the previous value once the rotation is read', async () => {
    // Prepare
    const relay = await relayWithSecret(0);
    expect((await relay.send(signedWith(OLD))).statusCode).toBe(202);
    const rotatedAt = await relay.rotate(NEW);

    // Act: the cached read has expired
    onlyDateMoves(rotatedAt + SECRET_MAX_AGE_MS + 1_000, { frozen: true });
    const previous = await relay.send(signedWith(OLD));
    const current = await relay.send(signedWith(NEW));

    // Assess
    expect(previous).toEqual({ statusCode: 401, body: { error: 'unauthorized', message: mismatch } });
    expect(current.statusCode).toBe(202);
  });
});

describe('the inbound secret store', () => {
  it('is read again for requests that match nothing at most once per interval, however many there are', async () => {
    // Prepare
    const relay = await relayWithSecret(60);
    const [, signedWith] = SENDERS[0]!;
    const start = Date.now();
    onlyDateMoves(start, { frozen: true });
    await relay.send(signedWith(OLD));

    // Act
    const flood = await Promise.all(Array.from({ length: 20 }, () => relay.send(signedWith('a-guess'))));
    for (let i = 0; i < 20; i += 1) await relay.send(signedWith('another-guess'));
    const readsInFlood = relay.reads();
    onlyDateMoves(start + REREAD_INTERVAL_MS, { frozen: true });
    await relay.send(signedWith('a-guess'));

    // Assess
    expect(flood.every((answer) => answer.statusCode === 401)).toBe(true);
    expect(readsInFlood).toBe(2);
    expect(relay.reads()).toBe(3);
  });

  it('hands a request the value another request has read since, without reading again', async () => {
    // Prepare: two requests saw the old value; the secret is rotated
    const { ARN } = await client.send(new CreateSecretCommand({ Name: `inbound-${randomUUID()}`, SecretString: OLD }));
    const store = secretsManagerSecret(client, ARN!);
    let reads = 0;
    const secrets = inboundSecrets({ ...store, current: () => ((reads += 1), store.current()) }, { graceMs: 60 * MINUTE });
    const seenByFirst = await secrets.valid();
    const seenBySecond = await secrets.valid();
    await client.send(new PutSecretValueCommand({ SecretId: ARN, SecretString: NEW }));

    // Act
    const first = await secrets.reread(seenByFirst);
    const second = await secrets.reread(seenBySecond);

    // Assess
    expect(first).toEqual({ version: expect.any(String), current: NEW, previous: OLD });
    expect(second).toEqual(first);
    expect(reads).toBe(2);
  });

  it('is not read again for a request refused whatever the secret (no credentials at all)', async () => {
    // Prepare
    const relay = await relayWithSecret(60);
    const [, signedWith] = SENDERS[1]!;
    const unsigned = signedWith(OLD);
    const { 'x-hub-signature-256': _signature, ...headers } = unsigned.headers;

    // Act
    const answer = await relay.send({ ...unsigned, headers });

    // Assess
    expect(answer.statusCode).toBe(401);
    expect(answer.body.message).toMatch(/^missing X-Hub-Signature-256 header/);
    expect(relay.reads()).toBe(1);
  });

  it('registers the values it reads, current and previous, for redaction', async () => {
    // Prepare: a rotation a minute ago, within the grace period
    const current = { id: 'v2', value: 'current-inbound-Tq3Wz8', created: new Date(Date.now() - MINUTE) };
    const secrets = inboundSecrets({ current: async () => current, previous: async () => 'previous-inbound-Mk6Lp4' }, { graceMs: 60 * MINUTE });

    // Act
    await secrets.valid();

    // Assess
    expect(redact('current-inbound-Tq3Wz8 previous-inbound-Mk6Lp4')).toBe(`${REDACTED} ${REDACTED}`);
  });

  it('logs who still sends the previous value, with what they say about themselves, never the value', async () => {
    // Prepare
    const relay = await relayWithSecret(60);
    const [, signedWith] = SENDERS[0]!;
    await relay.send(signedWith(OLD));
    await relay.rotate(NEW);
    await relay.send(signedWith(NEW));
    const warn = jest.spyOn(logger, 'warn');

    // Act
    const answer = await relay.send(signedWith(OLD));

    // Assess
    expect(answer.statusCode).toBe(202);
    expect(warn).toHaveBeenCalledWith('webhook verified with the previous inbound secret', {
      id: expect.any(String),
      source: 'generic',
      channel: 'default',
      userAgent: 'curl/8.5.0',
      forwardedFor: undefined,
    });
    expect(JSON.stringify(warn.mock.calls)).not.toContain(OLD);
  });
});

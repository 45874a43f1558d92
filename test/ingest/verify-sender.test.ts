import { inboundSecrets, type InboundSecretStore } from '../../lambda/ingest/inbound-secret';
import { verifySender } from '../../lambda/ingest/verify-sender';
import { SecretMismatchError, UnauthorizedError } from '../../lambda/runtime/errors';
import { hmacSha256Hex } from '../../lambda/security/hmac';
import type { SignedSnsMessage } from '../../lambda/security/sns-signature';
import { findSource } from '../../lambda/sources';
import type { InboundRequest } from '../../lambda/sources/source';
import { snsSource } from '../../lambda/sources/sns';
import { fixtureJson, webhookRequest } from '../support/fixtures';
import { proveWith } from '../support/proof';
import { resigned, testSigner } from '../support/sns-signing';

const CURRENT = 'current-value';
const PREVIOUS = 'previous-value';

/** A secret rotated a minute ago, whose previous value is in its grace period; `reads` counts reads of the store. */
function rotatedSecret() {
  const store = {
    reads: 0,
    current: async () => {
      store.reads += 1;
      return { id: 'v2', value: CURRENT, created: new Date(Date.now() - 60_000) };
    },
    previous: async () => PREVIOUS,
  } satisfies InboundSecretStore & { reads: number };
  return { store, secrets: inboundSecrets(store, { graceMs: 3_600_000 }) };
}

const BODY = '{"text":"hi"}';
/** How each kind of source carries a proof of `secret`. */
const PROOFS: [string, (secret: string) => Record<string, string>][] = [
  ['generic', (secret) => ({ Authorization: `Bearer ${secret}` })],
  ['github', (secret) => ({ 'X-Hub-Signature-256': `sha256=${hmacSha256Hex(secret, BODY)}` })],
  ['gitlab', (secret) => ({ 'X-Gitlab-Token': secret })],
  ['circleci', (secret) => ({ 'circleci-signature': `v1=${hmacSha256Hex(secret, BODY)}` })],
];

describe('verifySender', () => {
  afterEach(() => jest.restoreAllMocks());

  it.each(PROOFS)('tells %s a proof of another secret (a mismatch) from no proof at all', async (name, proof) => {
    // Prepare
    const endpoint = findSource(name)!.webhook!;
    const request = (headers: Record<string, string>) => webhookRequest(`/hooks/${name}`, BODY, headers);

    // Act
    const other = proveWith(endpoint, request(proof('another-value')), CURRENT);
    const none = proveWith(endpoint, request({}), CURRENT);

    // Assess
    await expect(other).rejects.toBeInstanceOf(SecretMismatchError);
    await expect(none).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(none).rejects.not.toBeInstanceOf(SecretMismatchError);
  });

  it.each(PROOFS)('says which value a %s request proves it holds, trying the previous one only after the current one', async (name, proof) => {
    // Prepare
    const endpoint = findSource(name)!.webhook!;
    const { secrets } = rotatedSecret();
    const check = (secret: string) => {
      const request = webhookRequest(`/hooks/${name}`, BODY, proof(secret));
      return jest.fn((value: string) => proveWith(endpoint, request, value));
    };
    const forCurrent = check(CURRENT);
    const forPrevious = check(PREVIOUS);

    // Act
    const current = await verifySender(forCurrent, secrets);
    const previous = await verifySender(forPrevious, secrets);

    // Assess
    expect([current, previous]).toEqual(['current', 'previous']);
    expect(forCurrent.mock.calls.map(([secret]) => secret)).toEqual([CURRENT]);
    expect(forPrevious.mock.calls.map(([secret]) => secret)).toEqual([CURRENT, PREVIOUS]);
  });

  describe('for SNS, which checks its own signature once the secret matches', () => {
    const signer = testSigner();
    const message = (): SignedSnsMessage =>
      resigned(fixtureJson('aws_cloudwatch', 'sns_https_notification_alarm_capture.json'), signer);
    const snsRequest = (secret: string, body: object): InboundRequest =>
      webhookRequest('/hooks/sns', JSON.stringify(body), {
        'content-type': 'text/plain; charset=UTF-8',
        authorization: `Basic ${Buffer.from(`sns:${secret}`).toString('base64')}`,
      });
    const sns = () => snsSource({ get: async () => signer.certificate }).webhook!;

    it('accepts the previous value with a good signature', async () => {
      // Act
      const endpoint = sns();
      const request = snsRequest(PREVIOUS, message());
      const used = await verifySender((secret) => proveWith(endpoint, request, secret), rotatedSecret().secrets);

      // Assess
      expect(used).toBe('previous');
    });

    it("answers a bad signature with the signature's refusal, not with a secret mismatch, and reads nothing again", async () => {
      // Prepare
      const { store, secrets } = rotatedSecret();
      const tampered = { ...message(), Subject: 'changed after signing' };

      // Act
      const endpoint = sns();
      const request = snsRequest(PREVIOUS, tampered);
      const verifying = verifySender((secret) => proveWith(endpoint, request, secret), secrets);

      // Assess
      await expect(verifying).rejects.toThrow(new UnauthorizedError('the SNS message signature does not match its content'));
      expect(store.reads).toBe(1);
    });
  });

  it('answers a value that matches nothing, even after reading again, with the mismatch of the current value', async () => {
    // Prepare
    const { store, secrets } = rotatedSecret();
    const endpoint = findSource('github')!.webhook!;

    // Act
    const request = webhookRequest('/hooks/github', BODY, PROOFS[1]![1]('a-guess'));
    const verifying = verifySender((secret) => proveWith(endpoint, request, secret), secrets);

    // Assess
    await expect(verifying).rejects.toThrow(
      new SecretMismatchError('X-Hub-Signature-256 does not match the body: check the webhook secret'),
    );
    expect(store.reads).toBe(2);
  });
});

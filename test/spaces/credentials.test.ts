/**
 * The Spaces credential against real services: the token secret and the renewal lease on moto (Secrets Manager,
 * DynamoDB), the token endpoint and the API on the contract-checking stand-in. Two providers sharing a secret and a
 * table are two deliver invocations.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateSecretCommand, GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { randomUUID } from 'node:crypto';
import { DynamoDbStateStore, stateStoreLease } from '../../lambda/deliver/state-store';
import { countTotals } from '../../lambda/runtime/metrics';
import { REDACTED, redact } from '../../lambda/runtime/redact';
import { SpacesClient } from '../../lambda/spaces/client';
import {
  secretsManagerTokenSecret,
  spacesCredentials,
  textCredentials,
  type CredentialOptions,
  type CredentialProvider,
  type TokenSecret,
} from '../../lambda/spaces/credentials';
import { CredentialError } from '../../lambda/spaces/errors';
import { requestAccessToken } from '../../lambda/spaces/oauth';
import { createStateTable, type Moto, startMoto } from '../support/moto';
import { grantSecret, startSpacesServer, TEST_GRANT, type RunningStandIn } from '../support/spaces-server';

const TABLE = 'credentials-test';
const LEASE_ID = 'lease#spaces-credential';

let moto: Moto;
let secrets: SecretsManagerClient;
let dynamoDb: DynamoDBClient;
let spaces: RunningStandIn | undefined;

beforeAll(async () => {
  moto = await startMoto();
  secrets = new SecretsManagerClient(moto.clientConfig);
  dynamoDb = new DynamoDBClient(moto.clientConfig);
  await createStateTable(dynamoDb, TABLE);
}, 30_000);

afterAll(async () => {
  secrets?.destroy();
  dynamoDb?.destroy();
  await moto?.stop();
});

afterEach(async () => {
  await spaces?.close();
  spaces = undefined;
});

/** A new secret on moto holding `text`; its id. */
async function createSecret(text: string): Promise<string> {
  const name = `spaces-token-${randomUUID()}`;
  await secrets.send(new CreateSecretCommand({ Name: name, SecretString: text }));
  return name;
}

const storedText = async (secretId: string) => (await secrets.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString!;
const stored = async (secretId: string) => JSON.parse(await storedText(secretId)) as { oauth: { refreshToken: string }; access?: { token: string; expiresAt: string; renewAt: string } };

/** A deliver invocation's credential: the secret on moto, the lease in the shared table (its own clients). */
function invocation(secretId: string, options: Partial<CredentialOptions> = {}): CredentialProvider {
  const store = new DynamoDbStateStore(TABLE, new DynamoDBClient(moto.clientConfig));
  return spacesCredentials({
    secret: secretsManagerTokenSecret(secretId, new SecretsManagerClient(moto.clientConfig)),
    lease: stateStoreLease(store, `${LEASE_ID}-${secretId}`),
    pollMs: 20,
    ...options,
  });
}

const tokenCalls = () => spaces!.standIn.calls.filter((call) => call.operation === 'token');
const clientOf = (credentials: CredentialProvider) =>
  new SpacesClient({ baseUrl: spaces!.url, credentials, retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 }, timeoutMs: 2_000 });
const failureOf = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error as CredentialError);

describe('a token secret', () => {
  it('is used as it is, cached, and re-read after a 401 (the token was rotated)', async () => {
    // Prepare
    const secretId = await createSecret('old-token');
    const provider = invocation(secretId);

    // Act
    const first = await provider.get();
    await secrets.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: '{"scheme":"jwt","token":"new-token"}' }));
    const cached = await provider.get();
    const refreshed = await provider.refresh(first);

    // Assess
    expect(first).toEqual({ scheme: 'bearer', token: 'old-token' });
    expect(cached).toEqual(first);
    expect(refreshed).toEqual({ scheme: 'jwt', token: 'new-token' });
    expect(await provider.get()).toEqual(refreshed);
  });

  it('that cannot be read is a credential failure naming the secret and the reason', async () => {
    // Prepare
    const provider = invocation('spaces-token-that-does-not-exist');

    // Act
    const error = await failureOf(provider.get());

    // Assess
    expect(error).toBeInstanceOf(CredentialError);
    expect(error!.failure).toBe('secret-unreadable');
    expect(error!.message).toBe('Spaces credential: could not read the token secret spaces-token-that-does-not-exist: ResourceNotFoundException');
  });
});

describe('an OAuth grant', () => {
  it('is exchanged for an access token, and the rotated refresh token and the access token are written back', async () => {
    // Prepare
    spaces = await startSpacesServer({ oauth: TEST_GRANT });
    const secretId = await createSecret(grantSecret(spaces.url));

    // Act
    const credential = await invocation(secretId).get();

    // Assess
    const secret = await stored(secretId);
    expect(credential).toEqual({ scheme: 'bearer', token: secret.access!.token });
    expect(spaces.standIn.validRefreshTokens).toEqual([secret.oauth.refreshToken]);
    expect(secret.oauth.refreshToken).not.toBe(TEST_GRANT.refreshToken);
    expect(Date.parse(secret.access!.expiresAt) - Date.now()).toBeGreaterThan(3590_000);
    expect(tokenCalls()).toHaveLength(1);
  });

  it('registers the access and refresh tokens the issuer hands out for redaction, as they arrive', async () => {
    // Prepare
    spaces = await startSpacesServer({ oauth: TEST_GRANT });

    // Act
    const answer = await requestAccessToken({ ...TEST_GRANT, tokenUrl: `${spaces.url}/oauth2/access_token` });

    // Assess
    expect(redact(`${answer.accessToken} ${answer.refreshToken!}`)).toBe(`${REDACTED} ${REDACTED}`);
  });

  it('is renewed 5 minutes before the access token expires, and shared with other invocations until then', async () => {
    // Prepare: a one-hour token (3599 s), as Spaces hands out.
    spaces = await startSpacesServer({ oauth: TEST_GRANT });
    const secretId = await createSecret(grantSecret(spaces.url));
    let offsetMs = 0;
    const now = () => Date.now() + offsetMs;
    const first = await invocation(secretId, { now }).get();

    // Act
    offsetMs = 54 * 60_000;
    const other = await invocation(secretId, { now }).get();
    offsetMs = 55 * 60_000;
    const renewed = await invocation(secretId, { now }).get();

    // Assess
    expect(other).toEqual(first);
    expect(renewed.token).not.toBe(first.token);
    expect(tokenCalls()).toHaveLength(2);
    expect((await stored(secretId)).access!.token).toBe(renewed.token);
  });

  it('is renewed when Spaces refuses an access token that is not fresh, and the call goes through', async () => {
    // Prepare
    spaces = await startSpacesServer({ oauth: TEST_GRANT });
    const secretId = await createSecret(grantSecret(spaces.url));
    let offsetMs = 0;
    const client = clientOf(invocation(secretId, { now: () => Date.now() + offsetMs }));
    await client.postChat('s', { bodyText: 'before' });

    // Act: 20 minutes on, the issuer's clock says it expired; the relay's does not.
    offsetMs = 20 * 60_000;
    spaces.standIn.expireAccessTokens();
    await client.postChat('s', { bodyText: 'after' });

    // Assess
    expect(spaces.standIn.messages.map((m) => m.bodyText)).toEqual(['before', 'after']);
    expect(spaces.standIn.calls.map((c) => `${c.operation} ${c.status}`)).toEqual(['token 200', 'post 200', 'post 401', 'token 200', 'post 200']);
  });

  it('is not renewed when Spaces refuses a fresh access token: that is a refusal, not an expiry', async () => {
    // Prepare: Spaces refuses the grant's user (a disabled account), whatever the token.
    spaces = await startSpacesServer({ oauth: TEST_GRANT, fault: (op) => (op === 'post' ? { status: 401 } : undefined) });
    const secretId = await createSecret(grantSecret(spaces.url));
    let offsetMs = 0;
    const client = clientOf(invocation(secretId, { now: () => Date.now() + offsetMs }));

    // Act
    const fresh = await failureOf(client.postChat('s', { bodyText: 'x' }));
    offsetMs = 9 * 60_000;
    const nineMinutesOn = await failureOf(client.postChat('s', { bodyText: 'x' }));
    offsetMs = 10 * 60_000;
    const tenMinutesOn = await failureOf(client.postChat('s', { bodyText: 'x' }));

    // Assess: one renewal in ten minutes, then one more; each failure a token refusal.
    expect(fresh).toMatchObject({ failure: 'token-refused', message: expect.stringMatching(/refused an access token issued [01] s ago \(HTTP 401\)/) });
    expect(nineMinutesOn).toMatchObject({ failure: 'token-refused', message: expect.stringMatching(/issued 54[01] s ago/) });
    expect(tenMinutesOn).toMatchObject({ failure: 'token-refused', message: expect.stringContaining('even after it was re-read or renewed') });
    expect(tokenCalls()).toHaveLength(2);
  });

  it('renewed by two invocations at once is renewed once: one valid refresh token in the secret, both post', async () => {
    // Prepare: a slow token endpoint, so that the two renewals overlap.
    spaces = await startSpacesServer({ oauth: TEST_GRANT, fault: (op) => (op === 'token' ? { delayMs: 300 } : undefined) });
    const secretId = await createSecret(grantSecret(spaces.url));
    let offsetMs = 0;
    const now = () => Date.now() + offsetMs;
    const [a, b] = [invocation(secretId, { now }), invocation(secretId, { now })];

    // Act: both renew the grant, and later both renew the access token the issuer let expire.
    const [fromA, fromB] = await Promise.all([a.get(), b.get()]);
    offsetMs = 30 * 60_000;
    spaces.standIn.expireAccessTokens();
    await Promise.all([clientOf(a).postChat('s', { bodyText: 'from a' }), clientOf(b).postChat('s', { bodyText: 'from b' })]);

    // Assess
    expect(fromA).toEqual(fromB);
    expect(tokenCalls().map((c) => c.status)).toEqual([200, 200]);
    const secret = await stored(secretId);
    expect(spaces.standIn.validRefreshTokens).toEqual([secret.oauth.refreshToken]);
    expect(spaces.standIn.messages.map((m) => m.bodyText).sort()).toEqual(['from a', 'from b']);
  });

  it('due in an invocation that read the secret before another renewed it takes that renewal, not a second one', async () => {
    // Prepare: both invocations hold the first access token, and keep what they read for long.
    spaces = await startSpacesServer({ oauth: TEST_GRANT });
    const secretId = await createSecret(grantSecret(spaces.url));
    let offsetMs = 0;
    const options = { now: () => Date.now() + offsetMs, maxAgeMs: 3 * 3600_000 };
    const [a, b] = [invocation(secretId, options), invocation(secretId, options)];
    await a.get();
    await b.get();

    // Act: the token falls due; a renews first, then b finds it due in what it read.
    offsetMs = 56 * 60_000;
    const fromA = await a.get();
    const fromB = await b.get();

    // Assess
    expect(fromB).toEqual(fromA);
    expect(tokenCalls().map((c) => c.status)).toEqual([200, 200]);
  });

  it('whose refresh token was spent elsewhere (invalid_grant) is renewed with the one now in the secret', async () => {
    // Prepare: someone renewed (spending the first refresh token) and put the new grant in the secret, while this
    // invocation still read the old text.
    spaces = await startSpacesServer({ oauth: TEST_GRANT });
    const elsewhere = await textCredentials(grantSecret(spaces.url)).get();
    const rotated = spaces.standIn.validRefreshTokens[0]!;
    const secretId = await createSecret(grantSecret(spaces.url, { ...TEST_GRANT, refreshToken: rotated }));
    const real = secretsManagerTokenSecret(secretId, secrets);
    let staleReads = 2;
    const lagging: TokenSecret = { ...real, read: async () => (staleReads-- > 0 ? grantSecret(spaces!.url) : real.read()) };
    const provider = spacesCredentials({ secret: lagging, lease: stateStoreLease(new DynamoDbStateStore(TABLE, dynamoDb), `${LEASE_ID}-${secretId}`) });

    // Act
    const credential = await provider.get();

    // Assess
    expect(credential.token).not.toBe(elsewhere.token);
    expect(tokenCalls().map((c) => c.status)).toEqual([200, 400, 200]);
    expect((await stored(secretId)).oauth.refreshToken).toBe(spaces.standIn.validRefreshTokens[0]);
    await clientOf(provider).postChat('s', { bodyText: 'posted' });
  });

  it('that was revoked is a grant-refused failure that says what to do', async () => {
    // Prepare
    spaces = await startSpacesServer({ oauth: TEST_GRANT });
    const secretId = await createSecret(grantSecret(spaces.url));
    spaces.standIn.revokeGrant();

    // Act
    const error = await failureOf(invocation(secretId).get());

    // Assess
    expect(error).toMatchObject({ failure: 'grant-refused', oauthError: 'invalid_grant' });
    expect(error!.message).toBe(
      `Spaces credential: the token endpoint ${new URL(spaces.url).host} refused the grant (HTTP 400 invalid_grant): the refresh token ` +
        'was revoked, has expired or was already used; put a new grant in the token secret',
    );
  });

  it('with a wrong client secret is a grant-refused failure', async () => {
    // Prepare
    spaces = await startSpacesServer({ oauth: TEST_GRANT });
    const secretId = await createSecret(grantSecret(spaces.url, { ...TEST_GRANT, clientSecret: 'wrong-secret' }));

    // Act
    const error = await failureOf(invocation(secretId).get());

    // Assess
    expect(error).toMatchObject({ failure: 'grant-refused', oauthError: 'invalid_client' });
    expect(error!.message).toContain('the client id or client secret is wrong');
  });

  it('whose token endpoint fails or stays silent is an issuer-unavailable failure', async () => {
    // Prepare
    let fault: { status: number } | { delayMs: number } = { status: 503 };
    spaces = await startSpacesServer({ oauth: TEST_GRANT, fault: (op) => (op === 'token' ? fault : undefined) });
    const secretId = await createSecret(grantSecret(spaces.url));
    const provider = invocation(secretId, { tokenTimeoutMs: 100 });

    // Act
    const failed = await failureOf(provider.get());
    fault = { delayMs: 500 };
    const silent = await failureOf(provider.get());

    // Assess
    expect(failed).toMatchObject({ failure: 'issuer-unavailable', message: expect.stringContaining('failed (HTTP 503)') });
    expect(silent).toMatchObject({ failure: 'issuer-unavailable', message: expect.stringContaining('did not answer within 100 ms') });
    expect(spaces.standIn.validRefreshTokens).toEqual([TEST_GRANT.refreshToken]);
  });

  it('is not renewed while another invocation holds the lease, and waiting for it ends', async () => {
    // Prepare: a lease taken and never given back (an invocation that died renewing).
    spaces = await startSpacesServer({ oauth: TEST_GRANT });
    const secretId = await createSecret(grantSecret(spaces.url));
    await new DynamoDbStateStore(TABLE, dynamoDb).put(`${LEASE_ID}-${secretId}`, { takenAt: 'now' }, 60);

    // Act
    const error = await failureOf(invocation(secretId, { leaseWaitMs: 200 }).get());

    // Assess
    expect(error).toMatchObject({ failure: 'issuer-unavailable', message: expect.stringContaining('another invocation has been renewing') });
    expect(tokenCalls()).toHaveLength(0);
  });

  it('renewed but not written back still gives the access token, and counts a write-back failure', async () => {
    // Prepare
    spaces = await startSpacesServer({ oauth: TEST_GRANT });
    const secretId = await createSecret(grantSecret(spaces.url));
    const readOnly: TokenSecret = {
      ...secretsManagerTokenSecret(secretId, secrets),
      write: async () => {
        throw Object.assign(new Error('not authorized to perform secretsmanager:PutSecretValue'), { name: 'AccessDeniedException' });
      },
    };
    const provider = spacesCredentials({ secret: readOnly, lease: { take: async () => async () => undefined } });
    const before = countTotals()['credentialFailures.write-back'] ?? 0;

    // Act
    await clientOf(provider).postChat('s', { bodyText: 'still posted' });

    // Assess
    expect(spaces.standIn.messages).toHaveLength(1);
    expect((countTotals()['credentialFailures.write-back'] ?? 0) - before).toBe(1);
    expect(await storedText(secretId)).toBe(grantSecret(spaces.url));
  });

  it('is never sent to a token endpoint over plain http', async () => {
    // Act
    const error = await failureOf(
      requestAccessToken({ ...TEST_GRANT, tokenUrl: 'http://accounts.example.com/oauth2/access_token' }),
    );

    // Assess
    expect(error).toMatchObject({ failure: 'secret-invalid' });
  });
});

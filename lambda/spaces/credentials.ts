/**
 * The Spaces credential, from the token secret (deployed) or `SPACES_TOKEN` (local): one implementation for both,
 * given where the secret's text lives (`TokenSecret`) and a lease that serializes renewals (`RenewalLease`).
 *
 * A token (bare or `{"scheme","token"}`) is used as it is and re-read when Spaces answers 401 (it may have been
 * rotated). An OAuth refresh grant (`token-secret.ts`) is exchanged for an access token, which is renewed shortly
 * before it expires, and when Spaces refuses it — unless it is so fresh that the refusal cannot be an expiry: Spaces
 * then refuses the grant's user, and renewing on every call would only hammer the issuer and pile up secret
 * versions until the outage ends. Renewals are safe with several invocations at once:
 * - the access token and its expiry are written into the secret, so every invocation uses the same one instead of
 *   each renewing its own;
 * - a renewal holds a short lease (a conditional write in the deliver table); whoever does not get it waits and
 *   re-reads the secret until the holder's token shows up there;
 * - the holder re-reads the secret after taking the lease, since another invocation may just have renewed;
 * - when the issuer answers `invalid_grant`, the refresh token may have been rotated by someone else (a holder whose
 *   lease ran out, a person who put a new grant): the secret is read again and a newer refresh token used.
 * A rotated refresh token is written back (`PutSecretValue`); locally it is kept in this process's memory only.
 * Neither a token, a client secret nor a refresh token ever goes into an error or a log line; each is registered for
 * redaction as it is read (`parseTokenSecret`) or handed out (`requestAccessToken`), in case an answer quotes it.
 */
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { setTimeout as sleep } from 'node:timers/promises';
import { logger } from '../runtime/logger';
import { count } from '../runtime/metrics';
import { CredentialError } from './errors';
import { requestAccessToken, type TokenGrantAnswer } from './oauth';
import { parseTokenSecret, renewedContents, secretText, type AccessToken, type SpacesCredential, type TokenSecretContents } from './token-secret';

/** Hands out the credential for each Spaces call. */
export interface CredentialProvider {
  get(): Promise<SpacesCredential>;
  /** A newer credential after Spaces refused `refused` with a 401: the secret re-read, or the access token renewed. */
  refresh(refused: SpacesCredential): Promise<SpacesCredential>;
}

/** Where the secret's text lives: Secrets Manager deployed, `SPACES_TOKEN` locally. */
export interface TokenSecret {
  /** What errors and logs call it: the secret id or the variable name, never its value. */
  readonly name: string;
  read(): Promise<string>;
  /** Stores the text after a renewal. */
  write(text: string): Promise<void>;
}

/** One renewal at a time across invocations. */
export interface RenewalLease {
  /** Takes the lease for `ttlMs` unless someone holds it; resolves to the function that gives it back, or undefined. */
  take(ttlMs: number): Promise<(() => Promise<void>) | undefined>;
}

export interface CredentialOptions {
  readonly secret: TokenSecret;
  readonly lease: RenewalLease;
  /** How long a read of the secret is trusted before it is read again (another invocation may have renewed). */
  readonly maxAgeMs?: number;
  /** Time limit of one token request. */
  readonly tokenTimeoutMs?: number;
  /** How often a renewal held elsewhere is looked for in the secret, and for how long at most. */
  readonly pollMs?: number;
  readonly leaseWaitMs?: number;
  readonly now?: () => number;
}

const MAX_AGE_MS = 5 * 60_000;
/**
 * An access token is renewed this long before it expires (or at 90 % of its life, if that is sooner): every Spaces
 * call takes the token when it starts, and must still hold a valid one when it arrives — after up to 20 s on the
 * wire and behind a clock that may differ from the issuer's by seconds. Five minutes of a one-hour token cover that
 * with room, and cost one renewal per 55 minutes instead of 60.
 */
const RENEW_BEFORE_MS = 5 * 60_000;
/**
 * A refused access token younger than this (or than half its life) is not renewed: that is a refusal, not an expiry.
 * It also keeps the secret's new versions to one per 10 minutes at most, the rate Secrets Manager recommends for
 * PutSecretValue (it keeps every version of the last 24 hours).
 */
const MIN_AGE_TO_RENEW_REFUSED_MS = 10 * 60_000;
const TOKEN_TIMEOUT_MS = 10_000;
/** Longer than a renewal can take (the token request, a read and a write of the secret). */
const LEASE_TTL_MS = 30_000;
/** Longer than the lease: a holder that died lets go when its lease expires, and a waiter then takes over. */
const LEASE_WAIT_MS = 40_000;
const POLL_MS = 500;

type OAuthContents = Extract<TokenSecretContents, { kind: 'oauth' }>;

/** When an access token is renewed ahead of its expiry (see `RENEW_BEFORE_MS`). */
function renewAt(access: AccessToken): number {
  return access.expiresAt - Math.min(RENEW_BEFORE_MS, (access.expiresAt - access.issuedAt) / 10);
}

/** From when a refusal of the access token is taken for an expiry, and the token renewed. */
function renewableWhenRefusedAt(access: AccessToken): number {
  return access.issuedAt + Math.min(MIN_AGE_TO_RENEW_REFUSED_MS, (access.expiresAt - access.issuedAt) / 2);
}

class SpacesCredentials implements CredentialProvider {
  private cached?: { readonly contents: TokenSecretContents; readonly readAt: number };
  /** The renewal under way in this process: concurrent callers share it. */
  private renewal?: Promise<SpacesCredential>;
  private readonly now: () => number;

  constructor(private readonly options: CredentialOptions) {
    this.now = options.now ?? Date.now;
  }

  async get(): Promise<SpacesCredential> {
    return this.usable(await this.load(false)) ?? this.renew();
  }

  async refresh(refused: SpacesCredential): Promise<SpacesCredential> {
    const contents = await this.load(true);
    const { access } = contents.kind === 'oauth' ? contents : {};
    if (access?.token === refused.token && this.now() < renewableWhenRefusedAt(access)) {
      const age = Math.round((this.now() - access.issuedAt) / 1000);
      throw new CredentialError(
        'token-refused',
        `Spaces refused an access token issued ${age} s ago (HTTP 401), too fresh to have expired: the grant was revoked or its user is refused`,
      );
    }
    return this.usable(contents, refused) ?? this.renew(refused);
  }

  /** The secret's contents, from the cache unless `fresh` or the cache is old. */
  private async load(fresh: boolean): Promise<TokenSecretContents> {
    const now = this.now();
    if (!fresh && this.cached && now - this.cached.readAt < (this.options.maxAgeMs ?? MAX_AGE_MS)) return this.cached.contents;
    const { secret } = this.options;
    let text: string;
    try {
      text = await secret.read();
    } catch (error) {
      // The SDK's error name (AccessDeniedException, ResourceNotFoundException) is what helps.
      throw new CredentialError('secret-unreadable', `could not read the token secret ${secret.name}: ${(error as Error).name}`, { cause: error });
    }
    const contents = parseTokenSecret(text, `the token secret ${secret.name}`);
    this.cached = { contents, readAt: now };
    return contents;
  }

  /** The credential the contents give without a renewal: a token, or an access token neither due nor refused. */
  private usable(contents: TokenSecretContents, refused?: SpacesCredential): SpacesCredential | undefined {
    if (contents.kind === 'token') return contents.credential;
    const { access } = contents;
    if (!access || this.now() >= renewAt(access) || access.token === refused?.token) return undefined;
    return { scheme: 'bearer', token: access.token };
  }

  private renew(refused?: SpacesCredential): Promise<SpacesCredential> {
    this.renewal ??= this.renewShared(refused).finally(() => {
      this.renewal = undefined;
    });
    return this.renewal;
  }

  /** Renews under the lease, or waits for whoever holds it to put a new access token in the secret. */
  private async renewShared(refused?: SpacesCredential): Promise<SpacesCredential> {
    const waitMs = this.options.leaseWaitMs ?? LEASE_WAIT_MS;
    const giveUpAt = this.now() + waitMs;
    for (;;) {
      const release = await this.options.lease.take(LEASE_TTL_MS);
      if (release) {
        try {
          return await this.renewHolding(refused);
        } finally {
          // Not given back, it expires on its own.
          await release().catch((error: Error) => logger.warn('credential renewal lease not released', { reason: error.name }));
        }
      }
      await sleep(this.options.pollMs ?? POLL_MS);
      const theirs = this.usable(await this.load(true), refused);
      if (theirs) return theirs;
      if (this.now() >= giveUpAt) {
        throw new CredentialError('issuer-unavailable', `another invocation has been renewing the access token for over ${Math.round(waitMs / 1000)} s`);
      }
    }
  }

  private async renewHolding(refused?: SpacesCredential): Promise<SpacesCredential> {
    const read = await this.load(true);
    // Someone may have put a plain token in the secret meanwhile.
    if (read.kind === 'token') return read.credential;
    const current = this.usable(read, refused);
    if (current) return current;
    let contents = read;
    let answer: TokenGrantAnswer;
    try {
      answer = await this.requestToken(contents);
    } catch (error) {
      if (!(error instanceof CredentialError && error.oauthError === 'invalid_grant')) throw error;
      const again = await this.load(true);
      if (again.kind === 'token') return again.credential;
      const theirs = this.usable(again, refused);
      if (theirs) return theirs;
      if (again.grant.refreshToken === contents.grant.refreshToken) throw error;
      logger.info('refresh token was replaced meanwhile; renewing with the new one', { secret: this.options.secret.name });
      contents = again;
      answer = await this.requestToken(contents);
    }
    return this.keep(contents, answer);
  }

  private requestToken(contents: OAuthContents): Promise<TokenGrantAnswer> {
    return requestAccessToken(contents.grant, { timeoutMs: this.options.tokenTimeoutMs ?? TOKEN_TIMEOUT_MS });
  }

  /** Keeps the new access token (and refresh token) here and in the secret. */
  private async keep(contents: OAuthContents, answer: TokenGrantAnswer): Promise<SpacesCredential> {
    const { secret } = this.options;
    const issuedAt = this.now();
    const access = { token: answer.accessToken, issuedAt, expiresAt: issuedAt + answer.expiresInSeconds * 1000 };
    const renewed = renewedContents(contents, access, answer.refreshToken);
    // Kept here even if the write fails: this process can go on, and renew with a rotated refresh token.
    this.cached = { contents: renewed, readAt: issuedAt };
    const rotated = answer.refreshToken !== undefined && answer.refreshToken !== contents.grant.refreshToken;
    try {
      await secret.write(secretText(renewed));
    } catch (error) {
      // Delivery goes on with the new access token; but if the issuer rotated the refresh token, the secret now holds
      // a spent one and the next renewal elsewhere fails. Counted, so that the credential alarm says so in time.
      count('credentialFailures', 1, 'write-back');
      logger.error('renewed grant not stored in the token secret', { secret: secret.name, reason: (error as Error).name, refreshTokenRotated: rotated });
      return { scheme: 'bearer', token: access.token };
    }
    logger.info('Spaces access token renewed', { secret: secret.name, expiresInSeconds: answer.expiresInSeconds, refreshTokenRotated: rotated });
    return { scheme: 'bearer', token: access.token };
  }
}

/** The Spaces credential from `options.secret`, renewed as it needs. */
export function spacesCredentials(options: CredentialOptions): CredentialProvider {
  return new SpacesCredentials(options);
}

/** The deployed token secret; a renewal is stored as its new current version. */
export function secretsManagerTokenSecret(secretId: string, client: SecretsManagerClient = new SecretsManagerClient({})): TokenSecret {
  return {
    name: secretId,
    read: async () => {
      const answer = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
      if (answer.SecretString === undefined) throw Object.assign(new Error('the secret holds binary data, not text'), { name: 'SecretBinary' });
      return answer.SecretString;
    },
    write: async (text) => {
      await client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: text }));
    },
  };
}

/**
 * The local credential (`SPACES_TOKEN`). A renewal is kept in this process only: the variable is not changed, so
 * after a restart the grant in it is used again — spent, if the issuer rotated it.
 */
export function localTokenSecret(text: string, name = 'SPACES_TOKEN'): TokenSecret {
  let current = text;
  return {
    name,
    read: async () => current,
    write: async (renewed) => {
      current = renewed;
      logger.info(`renewed grant kept in memory only (${name} is not changed)`);
    },
  };
}

/** The credential in `text`, held by this process alone (tools and tests that call Spaces directly): renewals need no lease. */
export function textCredentials(text: string): CredentialProvider {
  return spacesCredentials({ secret: localTokenSecret(text), lease: { take: async () => async () => undefined } });
}

/**
 * The OAuth2 refresh-token exchange (RFC 6749 §6) with the Spaces identity host: a form-encoded POST of the grant,
 * answered with an access token, its lifetime and, when the issuer rotates them, a new refresh token. Over the
 * relay's own HTTP exchange (no redirects followed, bounded in time and size). Neither the request nor the answer
 * ever reaches an error message or a log line; only the host, the HTTP status and the OAuth error code do.
 */
import * as v from 'valibot';
import { exchange, HttpTransportError, type HttpResult } from '../net/exchange';
import { registerSecret } from '../runtime/redact';
import { CredentialError } from './errors';
import { isSafeTokenUrl, TOKEN_CHARACTERS, type OAuthGrant } from './token-secret';

/** What the token endpoint handed out. */
export interface TokenGrantAnswer {
  readonly accessToken: string;
  /** Seconds the access token lasts (Spaces: 3599). */
  readonly expiresInSeconds: number;
  /** A new refresh token, when the issuer rotates them; the old one may then be spent. */
  readonly refreshToken?: string;
}

export interface TokenRequestOptions {
  /** The whole exchange must end within this (the token call sits in front of a delivery). */
  readonly timeoutMs?: number;
}

/** Assumed when an answer has no `expires_in` (it is only RECOMMENDED): the hour Spaces documents. */
const DEFAULT_EXPIRES_IN_SECONDS = 3599;
const DEFAULT_TIMEOUT_MS = 10_000;

const TokenAnswer = v.object({
  // It goes into a header: printable characters without spaces.
  access_token: v.pipe(v.string(), v.regex(TOKEN_CHARACTERS)),
  expires_in: v.optional(
    v.pipe(v.union([v.number(), v.pipe(v.string(), v.regex(/^\d+$/), v.transform(Number))]), v.minValue(1)),
    DEFAULT_EXPIRES_IN_SECONDS,
  ),
  refresh_token: v.optional(v.pipe(v.string(), v.regex(TOKEN_CHARACTERS))),
});

/** An OAuth error code is a short word (`invalid_grant`); anything else in its place is not repeated. */
const OAUTH_ERROR_CODE = /^[\w.-]{1,64}$/;

function oauthErrorOf(result: HttpResult): string | undefined {
  try {
    const error = (JSON.parse(result.body.toString('utf8')) as { error?: unknown }).error;
    return typeof error === 'string' && OAUTH_ERROR_CODE.test(error) ? error : undefined;
  } catch {
    return undefined;
  }
}

/** What a refusal means, in words an operator can act on. */
function refusal(host: string, result: HttpResult): CredentialError {
  const code = oauthErrorOf(result);
  const answer = `HTTP ${result.status}${code ? ` ${code}` : ''}`;
  if (result.status === 429 || result.status >= 500) {
    return new CredentialError('issuer-unavailable', `the token endpoint ${host} failed (${answer})`, { oauthError: code });
  }
  const meaning =
    code === 'invalid_grant'
      ? 'the refresh token was revoked, has expired or was already used; put a new grant in the token secret'
      : code === 'invalid_client' || code === 'unauthorized_client'
        ? 'the client id or client secret is wrong'
        : 'put a valid grant in the token secret';
  return new CredentialError('grant-refused', `the token endpoint ${host} refused the grant (${answer}): ${meaning}`, { oauthError: code });
}

/** Exchanges the grant's refresh token for an access token. */
export async function requestAccessToken(grant: OAuthGrant, options: TokenRequestOptions = {}): Promise<TokenGrantAnswer> {
  // Checked when the secret is read too; checked again here, right before the client secret is sent.
  if (!isSafeTokenUrl(grant.tokenUrl)) throw new CredentialError('secret-invalid', 'the token URL must be https');
  const url = new URL(grant.tokenUrl);
  const body = Buffer.from(
    new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: grant.refreshToken,
      client_id: grant.clientId,
      client_secret: grant.clientSecret,
    }).toString(),
  );
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let result: HttpResult;
  try {
    result = await exchange({
      method: 'POST',
      url,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': body.length, Accept: 'application/json' },
      body,
      idleTimeoutMs: timeoutMs,
      deadlineMs: timeoutMs,
      maxResponseBytes: 64 * 1024,
    });
  } catch (error) {
    const what = error instanceof HttpTransportError && error.timedOut ? `did not answer within ${timeoutMs} ms` : 'could not be reached';
    // The cause is a network error: it names hosts and addresses, not the request.
    throw new CredentialError('issuer-unavailable', `the token endpoint ${url.host} ${what}`, { cause: error });
  }
  if (result.status !== 200) throw refusal(url.host, result);
  let json: unknown;
  try {
    json = JSON.parse(result.body.toString('utf8'));
  } catch {
    json = undefined;
  }
  const answer = v.safeParse(TokenAnswer, json);
  if (!answer.success) {
    throw new CredentialError('issuer-unavailable', `the token endpoint ${url.host} answered without a usable access_token and expires_in`);
  }
  // Registered for redaction the moment they arrive, before anything can quote them.
  registerSecret(answer.output.access_token);
  registerSecret(answer.output.refresh_token);
  return {
    accessToken: answer.output.access_token,
    expiresInSeconds: answer.output.expires_in,
    refreshToken: answer.output.refresh_token,
  };
}

/**
 * What the Spaces token secret (or `SPACES_TOKEN` locally) may hold, and how a renewal is written back into it:
 * - a bare token, sent as `bearer`;
 * - `{"scheme": "bearer"|"jwt"|"service_app", "token": "..."}`;
 * - an OAuth2 refresh grant, `{"oauth": {"clientId", "clientSecret", "refreshToken", "tokenUrl"?}}`, which the relay
 *   exchanges for access tokens itself. It then adds `"access": {"token", "issuedAt", "expiresAt"}` — the current
 *   access token, shared by every invocation — and replaces `refreshToken` when the issuer rotates it.
 * A refusal names the field and what it needs, never a value: the text is a secret.
 */
import * as v from 'valibot';
import { registerSecret } from '../runtime/redact';
import { CredentialError } from './errors';

export const SCHEMES = ['bearer', 'jwt', 'service_app'] as const;

/** The Avaya identity host's token endpoint (`spaces-api/README.md` "Auth"). */
export const DEFAULT_TOKEN_URL = 'https://accounts.avayacloud.com/oauth2/access_token';

/** What goes into `Authorization: <scheme> <token>`. */
export interface SpacesCredential {
  readonly scheme: (typeof SCHEMES)[number];
  readonly token: string;
}

/** An OAuth2 refresh grant, as the token endpoint takes it. */
export interface OAuthGrant {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly refreshToken: string;
  readonly tokenUrl: string;
}

/** An access token obtained with the grant, with when it was issued and when it expires (epoch ms). */
export interface AccessToken {
  readonly token: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
}

/** A secret's contents, read. */
export type TokenSecretContents =
  | { readonly kind: 'token'; readonly credential: SpacesCredential }
  | {
      readonly kind: 'oauth';
      readonly grant: OAuthGrant;
      readonly access?: AccessToken;
      /** The JSON as stored, so that a write-back keeps any field the relay does not use. */
      readonly document: Readonly<Record<string, unknown>>;
    };

const SHAPES =
  `a token, {"scheme": ${SCHEMES.map((s) => `"${s}"`).join('|')}, "token": "..."}, ` +
  'or {"oauth": {"clientId", "clientSecret", "refreshToken", "tokenUrl"?}}';

/** Printable ASCII without spaces: what an HTTP header can carry as a token. */
export const TOKEN_CHARACTERS = /^[\x21-\x7e]+$/;

const text = () =>
  v.pipe(
    v.string('must be a string'),
    v.trim(),
    v.nonEmpty('must not be empty'),
    v.regex(TOKEN_CHARACTERS, 'must be printable characters without spaces'),
  );

/**
 * https only: the client secret and refresh token travel in the request body. Plain http is accepted for a
 * loopback address alone, where the request never leaves the machine (the local stand-in, the tests).
 */
export function isSafeTokenUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.username || parsed.password) return false;
  return parsed.protocol === 'https:' || (parsed.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname));
}

const TokenJson = v.object(
  {
    scheme: v.optional(
      v.pipe(v.string('must be a string'), v.toLowerCase(), v.picklist(SCHEMES, `must be one of ${SCHEMES.join(', ')}`)),
      'bearer',
    ),
    token: text(),
  },
  'must be an object',
);

const GrantJson = v.looseObject(
  {
    clientId: text(),
    clientSecret: text(),
    refreshToken: text(),
    tokenUrl: v.optional(
      v.pipe(
        v.string('must be a string'),
        v.check(isSafeTokenUrl, 'must be an https URL (plain http only on a loopback address)'),
      ),
      DEFAULT_TOKEN_URL,
    ),
  },
  'must be an object',
);

const AccessJson = v.pipe(
  v.object({
    token: text(),
    issuedAt: v.pipe(v.string(), v.isoTimestamp()),
    expiresAt: v.pipe(v.string(), v.isoTimestamp()),
  }),
  v.check((access) => Date.parse(access.issuedAt) < Date.parse(access.expiresAt)),
);

/** Words for an issue: the field (below `within`) and what it needs, never the value it saw. */
function problemOf(issue: v.BaseIssue<unknown>, within?: string): string {
  const field = [within, v.getDotPath(issue)].filter(Boolean).join('.');
  const what = issue.kind === 'schema' && issue.input === undefined ? 'required' : issue.message;
  return field ? `${field}: ${what}` : what;
}

function invalid(name: string, problem: string): CredentialError {
  return new CredentialError('secret-invalid', `${name} is not a credential (${problem}); it must hold ${SHAPES}`);
}

function parsed<T>(schema: v.GenericSchema<unknown, T>, input: unknown, name: string, within?: string): T {
  // The fallback message keeps valibot's own words (which quote the value) out of every issue.
  const result = v.safeParse(schema, input, { message: () => 'has the wrong type' });
  if (result.success) return result.output;
  throw invalid(name, problemOf(result.issues[0], within));
}

/** Registers the secrets in `contents` for redaction (see `redact.ts`): they must never leave the process in any text. */
function registered(contents: TokenSecretContents): TokenSecretContents {
  if (contents.kind === 'token') {
    registerSecret(contents.credential.token);
  } else {
    registerSecret(contents.grant.clientSecret);
    registerSecret(contents.grant.refreshToken);
    registerSecret(contents.access?.token);
  }
  return contents;
}

/**
 * Reads a secret's text; `name` (the secret id, never its value) is what an error calls it. The secrets it holds are
 * registered for redaction as they are read.
 */
export function parseTokenSecret(secretText: string, name = 'the token secret'): TokenSecretContents {
  return registered(parsedTokenSecret(secretText, name));
}

function parsedTokenSecret(secretText: string, name: string): TokenSecretContents {
  const trimmed = secretText.trim();
  if (trimmed === '') throw invalid(name, 'it is empty');
  // No token starts like JSON: such text is JSON meant as something else (a quoted token, a list).
  if (!/^[{["]/.test(trimmed)) {
    if (!TOKEN_CHARACTERS.test(trimmed)) throw invalid(name, 'a bare token must be printable characters without spaces');
    return { kind: 'token', credential: { scheme: 'bearer', token: trimmed } };
  }
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    // JSON.parse's own message quotes the text.
    throw invalid(name, 'it looks like JSON but is not');
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw invalid(name, 'it is JSON, but not an object');
  const document = json as Record<string, unknown>;
  if (!('oauth' in document)) return { kind: 'token', credential: parsed(TokenJson, document, name) };
  if ('token' in document) throw invalid(name, 'it holds both "token" and "oauth"; keep one');
  const grant = parsed(GrantJson, document.oauth, name, 'oauth');
  const access = v.safeParse(AccessJson, document.access);
  return {
    kind: 'oauth',
    grant: { clientId: grant.clientId, clientSecret: grant.clientSecret, refreshToken: grant.refreshToken, tokenUrl: grant.tokenUrl },
    // Written by the relay; one a person spoilt is simply renewed.
    access: access.success
      ? { token: access.output.token, issuedAt: Date.parse(access.output.issuedAt), expiresAt: Date.parse(access.output.expiresAt) }
      : undefined,
    document,
  };
}

/** The secret's contents after a renewal: the new access token, and the refresh token the issuer handed back, if any. */
export function renewedContents(
  contents: Extract<TokenSecretContents, { kind: 'oauth' }>,
  access: AccessToken,
  refreshToken: string | undefined,
): Extract<TokenSecretContents, { kind: 'oauth' }> {
  const grant = { ...contents.grant, refreshToken: refreshToken ?? contents.grant.refreshToken };
  const document = {
    ...contents.document,
    oauth: { ...(contents.document.oauth as Record<string, unknown>), refreshToken: grant.refreshToken },
    access: { token: access.token, issuedAt: new Date(access.issuedAt).toISOString(), expiresAt: new Date(access.expiresAt).toISOString() },
  };
  return { kind: 'oauth', grant, access, document };
}

/** The text to store for `contents` (an OAuth secret): its JSON, fields the relay does not know kept. */
export function secretText(contents: Extract<TokenSecretContents, { kind: 'oauth' }>): string {
  return JSON.stringify(contents.document);
}

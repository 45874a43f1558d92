/**
 * The Spaces credential: a token and its scheme, from Secrets Manager (deployed) or `SPACES_TOKEN` (local).
 * The secret holds either the bare token (scheme `bearer`) or JSON `{"scheme": "jwt", "token": "..."}`.
 * Neither the token nor the secret's text ever goes into an error or a log line.
 */
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import * as v from 'valibot';
import { SpacesError } from './errors';

export const SCHEMES = ['bearer', 'jwt', 'service_app'] as const;

export interface SpacesCredential {
  readonly scheme: (typeof SCHEMES)[number];
  readonly token: string;
}

/** Hands out the credential; `refresh` re-reads it after a 401 (tokens rotate, OAuth tokens last about an hour). */
export interface CredentialProvider {
  get(): Promise<SpacesCredential>;
  refresh(): Promise<SpacesCredential>;
}

const CredentialJson = v.object({
  scheme: v.optional(v.pipe(v.string(), v.toLowerCase(), v.picklist(SCHEMES)), 'bearer'),
  token: v.pipe(v.string(), v.trim(), v.nonEmpty()),
});

function invalid(): SpacesError {
  return new SpacesError(
    'credentials',
    `the token secret must hold a token, or JSON {"scheme": ${SCHEMES.map((s) => `"${s}"`).join('|')}, "token": "..."}`,
    { retryable: false },
  );
}

/** Reads a secret's text as a credential. */
export function parseCredential(text: string): SpacesCredential {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch {
      throw invalid();
    }
    const result = v.safeParse(CredentialJson, json);
    if (!result.success) throw invalid();
    return result.output;
  }
  if (trimmed === '' || /\s/.test(trimmed)) throw invalid();
  return { scheme: 'bearer', token: trimmed };
}

/** A fixed credential, for local mode (`SPACES_TOKEN`). */
export function staticCredentials(text: string): CredentialProvider {
  const credential = parseCredential(text);
  return { get: async () => credential, refresh: async () => credential };
}

/** The credential from Secrets Manager via Powertools parameters, cached for `maxAgeSeconds` across invocations. */
export function secretsManagerCredentials(secretId: string, maxAgeSeconds = 300): CredentialProvider {
  const read = async (forceFetch: boolean): Promise<SpacesCredential> => {
    let text: unknown;
    try {
      text = await getSecret(secretId, { maxAge: maxAgeSeconds, forceFetch });
    } catch (error) {
      // Powertools wraps the SDK's error; its name (AccessDeniedException, ResourceNotFoundException) is what helps.
      const reason = ((error as Error).cause as Error | undefined)?.name ?? (error as Error).name;
      throw new SpacesError('credentials', `could not read the token secret ${secretId}: ${reason}`, {
        retryable: true,
        cause: error,
      });
    }
    if (typeof text !== 'string') throw invalid();
    return parseCredential(text);
  };
  return { get: () => read(false), refresh: () => read(true) };
}

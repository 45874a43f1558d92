/**
 * The team's two secrets as the commands use them: the inbound secret senders prove (to post through the API like a
 * sender), and the Spaces credential (to ask Spaces about it). Read-only: the command line never renews an OAuth grant,
 * since a renewal spends the refresh token that deliver holds.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SpacesClient } from '../lambda/spaces/client';
import { CredentialError } from '../lambda/spaces/errors';
import { parseTokenSecret, type SpacesCredential, type TokenSecretContents } from '../lambda/spaces/token-secret';
import { registerSecret } from '../lambda/runtime/redact';
import { CliError } from './errors';

/** The text of a secret; `what` names it in errors, which say how to create or reach it, never its value. */
export async function readSecretText(secretsManager: SecretsManagerClient, secretId: string, what: string): Promise<string> {
  let text: string | undefined;
  try {
    text = (await secretsManager.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
  } catch (error) {
    const name = (error as Error).name;
    const region = await secretsManager.config.region();
    if (name === 'ResourceNotFoundException') {
      throw new CliError(`${what} ${secretId} does not exist in ${region}: create it (README, Deploy) or check the region`, { cause: error });
    }
    if (/AccessDenied/.test(name)) {
      throw new CliError(`${what} ${secretId}: not allowed to read it (secretsmanager:GetSecretValue, and kms:Decrypt for its key)`, {
        cause: error,
      });
    }
    throw error;
  }
  if (text === undefined) throw new CliError(`${what} ${secretId} holds binary data, not text: put a text value in it`);
  registerSecret(text);
  return text;
}

/** What the token secret holds, and the credential it gives now. */
export interface TeamCredential {
  readonly secretId: string;
  readonly contents: TokenSecretContents;
  /** Undefined for a grant whose access token expired: deliver renews it on its next delivery. */
  readonly credential?: SpacesCredential;
}

/** Reads and checks the token secret (errors name the field, never a value). */
export async function readTeamCredential(secretsManager: SecretsManagerClient, secretId: string, now = Date.now()): Promise<TeamCredential> {
  const text = await readSecretText(secretsManager, secretId, 'the token secret');
  let contents: TokenSecretContents;
  try {
    contents = parseTokenSecret(text, `the token secret ${secretId}`);
  } catch (error) {
    throw new CliError((error as Error).message, { cause: error });
  }
  if (contents.kind === 'token') return { secretId, contents, credential: contents.credential };
  const access = contents.access;
  const usable = access !== undefined && access.expiresAt > now;
  return { secretId, contents, credential: usable ? { scheme: 'bearer', token: access.token } : undefined };
}

/** What the secret holds, in words, for a report line. */
export function describeCredential(team: TeamCredential): string {
  if (team.contents.kind === 'token') return `a ${team.contents.credential.scheme} token`;
  return team.credential ? "an OAuth grant with deliver's current access token" : 'an OAuth grant whose access token has expired';
}

/** The credential to call Spaces with, or an error saying why there is none to use. */
export function usableCredential(team: TeamCredential): SpacesCredential {
  if (team.credential) return team.credential;
  throw new CliError(
    `the token secret ${team.secretId} holds an OAuth grant whose access token has expired; deliver renews it on its next ` +
      'delivery (the command line does not, to leave the refresh token to deliver): post something, then try again',
  );
}

/** A Spaces client for `credential` that never re-reads nor renews it: a refusal is final and says what to do. */
export function readOnlySpacesClient(baseUrl: string, secretId: string, credential: SpacesCredential): SpacesClient {
  return new SpacesClient({
    baseUrl,
    credentials: {
      get: async () => credential,
      refresh: async () => {
        throw new CredentialError(
          'token-refused',
          `Spaces refused the token in ${secretId} (401): put a working one with aws secretsmanager put-secret-value --secret-id ${secretId}`,
        );
      },
    },
  });
}

/**
 * The deployed inbound secret: a Secrets Manager secret, read with `GetSecretValue` alone (the one action ingest is
 * granted). Its answer carries the version's id and creation date besides the value, which is all the grace period
 * needs; the previous value is the version labelled `AWSPREVIOUS`, which Secrets Manager moves itself whenever
 * `AWSCURRENT` moves (`PutSecretValue`, `UpdateSecretVersionStage`).
 */
import {
  GetSecretValueCommand,
  type GetSecretValueCommandOutput,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import * as v from 'valibot';
import type { InboundSecretStore, InboundSecretVersion } from './inbound-secret';

const SecretVersionSchema = v.object({
  VersionId: v.string(),
  SecretString: v.pipe(v.string(), v.nonEmpty()),
  CreatedDate: v.date(),
});

/** The version in an answer; the message names the secret, never what it holds. */
function versionOf(answer: GetSecretValueCommandOutput, secretId: string, stage: string): InboundSecretVersion {
  const parsed = v.safeParse(SecretVersionSchema, answer);
  if (!parsed.success) {
    throw new Error(`the inbound secret ${secretId} (${stage}) must hold a non-empty string (SecretString)`);
  }
  const { VersionId, SecretString, CreatedDate } = parsed.output;
  return { id: VersionId, value: SecretString, created: CreatedDate };
}

/** The inbound secret `secretId` (a name or ARN) in Secrets Manager. */
export function secretsManagerSecret(client: SecretsManagerClient, secretId: string): InboundSecretStore {
  const get = (VersionStage: string) => client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage }));
  return {
    current: async () => versionOf(await get('AWSCURRENT'), secretId, 'AWSCURRENT'),
    previous: async () => {
      try {
        return versionOf(await get('AWSPREVIOUS'), secretId, 'AWSPREVIOUS').value;
      } catch (error) {
        // A secret that was never rotated has no AWSPREVIOUS version. (By name: the SDK may be the runtime's copy.)
        if ((error as Error).name === 'ResourceNotFoundException') return undefined;
        throw error;
      }
    },
  };
}

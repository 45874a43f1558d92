/** What the command line tests share: a context pointed at test doubles, output kept line by line, team configs. */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIo } from '../../../cli/command';
import { awsClients, type AwsClients, type CliContext } from '../../../cli/team-stack';
import type { Moto } from '../../support/moto';

/** What a command printed, line by line, and the `io` it printed to. */
export function capture(): { out: string[]; err: string[]; io: CliIo } {
  const out: string[] = [];
  const err: string[] = [];
  const keep = (lines: string[]) => (text: string) => void lines.push(...text.split('\n'));
  return { out, err, io: { out: keep(out), err: keep(err) } };
}

/** Clients on moto_server, in `region`. */
export function motoClients(moto: Moto, region = moto.clientConfig.region): AwsClients {
  const config = { ...moto.clientConfig, region };
  return {
    cloudFormation: new CloudFormationClient(config),
    sqs: new SQSClient(config),
    secretsManager: new SecretsManagerClient(config),
    sns: new SNSClient(config),
  };
}

/** A context with real AWS clients, no stdin, no pause between looks and the teams' own Spaces, unless `overrides` say. */
export function testContext(overrides: Partial<CliContext> & Pick<CliContext, 'teamsDir'>): CliContext {
  return {
    aws: awsClients,
    pollIntervalMs: 0,
    stdin: async () => Buffer.alloc(0),
    spacesApiUrl: (team) => team.config.spacesApiUrl,
    ...overrides,
  };
}

/** A teams directory of its own: each config is the required fields plus what the test adds. */
export function teamsDir(teams: Record<string, Record<string, unknown>>): string {
  const dir = mkdtempSync(join(tmpdir(), 'cli-teams-'));
  for (const [name, extra] of Object.entries(teams)) {
    const config = {
      channels: { default: '5f1a2b3c4d5e6f7a8b9c0d1e' },
      tokenSecret: `spaces-relay/${name}/spaces-token`,
      sources: [],
      ...extra,
    };
    writeFileSync(join(dir, `${name}.json`), JSON.stringify(config));
  }
  return dir;
}

/** The team the stack-reading commands' tests deploy into moto: two spaces, the generic source for test posts. */
import type { AwsClients } from '../../../cli/team-stack';
import type { Moto } from '../../support/moto';
import { WEBHOOK_TOKEN } from '../../support/relay';
import { TEST_TOKEN } from '../../support/spaces-server';
import { createTeamStack, type MotoTeamStack } from './moto-team-stack';

export const OPS_SPACE = '0000000000000000000000a1';
export const CI_SPACE = '0000000000000000000000b2';
export const OPS_CONFIG = {
  channels: { default: OPS_SPACE, ci: CI_SPACE },
  tokenSecret: 'spaces-relay/ops/spaces-token',
  sources: ['generic'],
};

/** The ops team's stack in moto, its API the local relay at `relayUrl`, with the test Spaces token and inbound secret. */
export function createOpsStack(moto: Moto, clients: AwsClients, relayUrl: string): Promise<MotoTeamStack> {
  return createTeamStack(moto, clients, {
    team: 'ops',
    config: OPS_CONFIG,
    region: moto.clientConfig.region,
    apiUrl: `${relayUrl}/`,
    spacesToken: TEST_TOKEN,
    inboundSecret: WEBHOOK_TOKEN,
  });
}

/** Team configs and synthesized relay stacks for the infrastructure tests. */
import { join } from 'node:path';
import { parseTeamConfig, readTeam, type Team } from '../../../infra/team-config';

export const TEAMS_DIR = join(__dirname, '..', '..', '..', 'teams');

/** The smallest valid config: the required fields only. */
export const MINIMAL_CONFIG = {
  channels: { default: 'space-default' },
  tokenSecret: 'relay/spaces-token',
  sources: ['alertmanager', 'grafana'],
};

/** A team from the minimal config plus `overrides`, validated like a file would be. */
export function team(overrides: Record<string, unknown> = {}, name = 'test'): Team {
  return { name, config: parseTeamConfig({ ...MINIMAL_CONFIG, ...overrides }, `${name}.json`) };
}

/** The team of `teams/example.json`. */
export const exampleTeam = (): Team => readTeam(TEAMS_DIR, 'example');


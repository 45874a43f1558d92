import { parseTeamConfig, TeamConfigError } from '../../../infra/team-config';

/** The `field: problem` lines of the error a team config draws; fails when the config is accepted. */
export function problemsOf(config: unknown): string[] {
  try {
    parseTeamConfig(config, 'teams/t.json');
  } catch (error) {
    expect(error).toBeInstanceOf(TeamConfigError);
    const [heading, ...lines] = (error as Error).message.split('\n');
    expect(heading).toBe('teams/t.json is not a valid team config:');
    return lines.map((line) => line.trim());
  }
  throw new Error('the config was accepted');
}

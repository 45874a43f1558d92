/**
 * The functions' settings, checked at synth with the functions' own readers: what the stack puts in a function's
 * settings variables, the function accepts at start-up, or synth stops here, naming the team file. The team config
 * schema refuses anything that could get this far; this is what makes sure of it.
 */
import { Token } from 'aws-cdk-lib';
import { ConfigError } from '../lambda/runtime/errors';
import { TeamConfigError, type Team } from './team-config';

/**
 * Reads `settings` with `read` (`readIngestSettings`, `readDeliverSettings`) as `fn` will at start-up. Throws
 * `TeamConfigError` listing each variable the function would refuse, and a plain error for a value only known at
 * deploy time: settings come from the team config, and synth could not check such a value.
 */
export function checkFunctionSettings(
  team: Team,
  fn: string,
  settings: Readonly<Record<string, string>>,
  read: (env: Readonly<Record<string, string>>) => unknown,
): void {
  const deployTime = Object.keys(settings).filter((name) => Token.isUnresolved(settings[name]));
  if (deployTime.length > 0) {
    throw new Error(
      `${fn} settings ${deployTime.join(', ')} are only known at deploy time, so synth cannot check them: settings come from the team config, deploy-time values are resources`,
    );
  }
  try {
    read(settings);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const lines = error.problems.map(({ field, problem }) => `${field}: ${problem}`);
    throw new TeamConfigError(
      `${team.origin} gives the ${fn} function settings it would refuse at start-up:\n  ${lines.join('\n  ')}`,
    );
  }
}

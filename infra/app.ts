/**
 * The CDK app: one relay stack per team. `cdk deploy -c team=<name>` uses `teams/<name>.json`; without a team, every
 * `teams/*.json` but the example is synthesized (and the example when it is the only one, as on a fresh clone).
 * `-c teamsDir=<dir>` reads the team configs from another directory (relative to the working directory): the
 * deployed-shape tests synthesize their own teams with it, through this same app.
 */
import { join, resolve } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { RelayStack } from './relay-stack';
import { stackNameFor } from './team-config';
import { readTeams, TeamConfigError } from './team-config';

const app = new App();
const requested: unknown = app.node.tryGetContext('team');
const teamsDir: unknown = app.node.tryGetContext('teamsDir');
const TEAMS_DIR = typeof teamsDir === 'string' ? resolve(teamsDir) : join(__dirname, '..', 'teams');
try {
  const teams = readTeams(TEAMS_DIR, typeof requested === 'string' ? requested : undefined);
  for (const team of teams) new RelayStack(app, stackNameFor(team.name), { team });
} catch (error) {
  if (!(error instanceof TeamConfigError)) throw error;
  // The message names the file and each bad field; a stack trace would only bury it.
  console.error(error.message);
  process.exit(1);
}
// The same checks as the tests: a deployment never carries an unacknowledged finding.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

/**
 * `spaces-relay doctor --team <team>`: whether a team's relay can deliver, each check a ✓ or ✗ line that says what to
 * do. The Spaces checks need only the team config and its token secret, so they help before the first deployment too.
 */
import type { CliCommand, CliIo } from '../command';
import {
  checkAlarmSubscriptions,
  checkApi,
  checkDeadLetters,
  checkSpaces,
  checkToken,
  checkTokenSecret,
  type CheckResult,
} from '../doctor-checks';
import { defineCommand, reasonOf, UsageError } from '../errors';
import { checkedRegion, helpText, parseCommandLine, requiredTeam, TEAM_OPTIONS, usageText } from '../options';
import { DEFAULT_CONTEXT, openTeam, regionOf, senderAccess, type CliContext, type TeamTarget } from '../team-stack';

const OPTIONS = TEAM_OPTIONS;
const USAGE = ['spaces-relay doctor --team <team> [--region <region>]'];
const HELP = helpText({
  usage: USAGE,
  description: [
    "Checks a team's relay, one line each, ✓ or ✗ with what to do: the token secret exists and is readable; the token",
    "works (Spaces names its user); that user is a member of every configured space; the stack's API answers and takes",
    "the inbound secret; the relay's alarms reach someone besides the space; the dead-letter queue is empty.",
    'Exit code 0 when every check passes, else 1. Posts nothing.',
  ],
  options: OPTIONS,
  examples: ['spaces-relay doctor --team payments'],
});

/** The command, with its AWS clients, teams and Spaces from `context`. */
export function doctorCommand(context: CliContext = DEFAULT_CONTEXT): CliCommand {
  return defineCommand({
    name: 'doctor',
    summary: "Check a team's token, spaces, API, alarm subscriptions and dead letters, with what to do",
    help: HELP,
    usage: usageText(USAGE),
    parse: (args) => {
      const { values, positionals } = parseCommandLine(args, OPTIONS);
      if (values.help) return 'help';
      if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
      return openTeam(context, requiredTeam(values.team), checkedRegion(values.region));
    },
    act: (target, io) => diagnose(target, context, io),
  });
}

/** Runs every check, printing each line as soon as it is known; resolves to 0 when all passed. */
async function diagnose(target: TeamTarget, context: CliContext, io: CliIo): Promise<number> {
  const results: CheckResult[] = [];
  const report = (result: CheckResult): void => {
    results.push(result);
    io.out(`${result.ok ? '✓' : '✗'} ${result.line}`);
  };
  io.out(`team ${target.team.name}: stack ${target.stackName} in ${await regionOf(target)}`);
  const spacesApiUrl = context.spacesApiUrl(target.team);
  const secret = await checkTokenSecret(target);
  report(secret.result);
  const token = await checkToken(spacesApiUrl, secret.credential);
  report(token.result);
  for (const result of await checkSpaces(target, spacesApiUrl, secret.credential, token.user)) report(result);
  for (const result of await stackChecks(target)) report(result);
  const failed = results.filter((result) => !result.ok).length;
  io.out(failed === 0 ? `all ${results.length} checks passed` : `${failed} of ${results.length} checks failed`);
  return failed === 0 ? 0 : 1;
}

/** The checks of the deployed stack, or one ✗ line saying why there is none to check. */
async function stackChecks(target: TeamTarget): Promise<CheckResult[]> {
  let access;
  try {
    access = await senderAccess(target, ['AlarmTopicArn', 'DeadLetterQueueUrl']);
  } catch (error) {
    return [{ ok: false, line: `the stack: ${reasonOf(error)}` }];
  }
  const { outputs, inboundSecret } = access;
  return Promise.all([
    checkApi(target, outputs.ApiUrl, inboundSecret),
    checkAlarmSubscriptions(target, outputs.AlarmTopicArn),
    checkDeadLetters(target, outputs.DeadLetterQueueUrl),
  ]);
}

/** `spaces-relay doctor`, as the installed command line runs it. */
export const doctor: CliCommand = doctorCommand();

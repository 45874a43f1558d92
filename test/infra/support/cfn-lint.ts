/** Runs cfn-lint: a Python program, pinned in requirements-test.txt and installed by `npm test` when missing. */
import { spawnSync } from 'node:child_process';

/**
 * W3005 (a DependsOn also implied by a GetAtt) is ignored: CDK writes such DependsOn itself, between a function and its
 * role policy and between S3 notifications and the queue policy, to order deployments. Everything else counts.
 */
const IGNORED_CHECKS = ['W3005'];

/** cfn-lint's findings on `templates`, empty when clean; throws when cfn-lint is missing, so no test passes unlinted. */
export function cfnLint(templates: readonly string[], env: NodeJS.ProcessEnv = process.env): string {
  const run = spawnSync('cfn-lint', ['--ignore-checks', ...IGNORED_CHECKS, '--', ...templates], {
    encoding: 'utf8',
    env,
  });
  if ((run.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT' || run.status === 127) {
    throw new Error(
      'cfn-lint is not installed (not found on PATH), so the synthesized templates were not linted; `npm test` installs it (pinned in requirements-test.txt)',
    );
  }
  if (run.error) throw run.error;
  return `${run.stdout}${run.stderr}`.trim();
}

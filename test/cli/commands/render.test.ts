import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { renderCommand } from '../../../cli/commands/render';
import { FIXTURES } from '../../support/fixtures';
import { testContext } from '../support/cli';

const REPO = resolve(__dirname, '..', '..', '..');
const TEAMS = join(REPO, 'teams');
const fixturePath = (folder: string, name: string): string => join(FIXTURES, folder, name);

/** Runs `render` in-process with the given arguments (and standard input); returns what it printed and its exit code. */
async function render(args: string[], options: { stdin?: string; teamsDir?: string } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const command = renderCommand(testContext({ teamsDir: options.teamsDir ?? TEAMS, stdin: async () => Buffer.from(options.stdin ?? '') }));
  const code = await command.run(args, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('spaces-relay render', () => {
  let teamsDir: string;

  beforeAll(() => {
    // Prepare: the example team, and a copy that posts GitHub runs as they start and watches one more bucket.
    teamsDir = mkdtempSync(join(tmpdir(), 'render-teams-'));
    copyFileSync(join(TEAMS, 'example.json'), join(teamsDir, 'example.json'));
    const loud = JSON.parse(readFileSync(join(TEAMS, 'example.json'), 'utf8'));
    loud.sourceSettings.github.inProgress = true;
    loud.s3Buckets.push({ name: 'unwraptestevents-bucket-683517028648' });
    writeFileSync(join(teamsDir, 'loud.json'), JSON.stringify(loud));
    writeFileSync(join(teamsDir, 'quiet.json'), JSON.stringify({ ...loud, sources: ['generic'] }));
  });

  afterAll(() => rmSync(teamsDir, { recursive: true, force: true }));

  it('shows the status, title, fields and links of each message', async () => {
    // Act
    const result = await render(['alertmanager', fixturePath('alertmanager', 'resolved_three_alerts_capture.json'), '--channel', 'ci', '--team', 'example'], { teamsDir });

    // Assess
    expect(result.code).toBe(0);
    expect(result.out.split('\n').slice(0, 6)).toEqual([
      '── message 1 of 1 · channel ci',
      '✅ RESOLVED · instance-down',
      'Instance 10.3.205.79:9100 down',
      'Alerts: 3 resolved',
      'instance: 10.3.205.79:9100',
      'job: host',
    ]);
    expect(result.out).toContain('Alertmanager <http://alertmanager:9093/>');
    // The example team's item template adds the instance.
    expect(result.out).toContain('  • ✅ instance-down @ 10.3.205.79:9100 resolved — 10.3.205.79:9100 of job host has been down for more than 10 minutes.\n    severity: orange');
  });

  it("applies the team's source settings, and takes the headers from the payload's sidecar", async () => {
    // Prepare
    const started = fixturePath('github', 'workflow_run_in_progress_capture.json');

    // Act
    const quiet = await render(['github', started, '--team', 'example'], { teamsDir });
    const loud = await render(['github', started, '--team', 'loud'], { teamsDir });

    // Assess
    expect(quiet).toEqual({ code: 0, out: 'nothing to post: the relay acknowledges this payload without a message', err: '' });
    expect(loud.out).toMatch(/^── message 1 of 1 · channel default\n▶️ STARTED · /);
  });

  it('lists the files a message would attach', async () => {
    // Act
    const result = await render(['s3', fixturePath('s3', 'sqs_wrapping_sns_wrapping_s3_event.json'), '--team', 'loud'], { teamsDir });

    // Assess
    expect(result.code).toBe(0);
    expect(result.out.split('\n').at(-1)).toBe('  📎 s3://unwraptestevents-bucket-683517028648/firehose-s3-template.json');
  });

  it('prints the bodyText with --html, and reads the payload from standard input with -', async () => {
    // Act
    const result = await render(['generic', '-', '--html', '--header', 'Content-Type: text/plain'], { stdin: 'Disk <full> & "hot"' });

    // Assess
    expect(result).toEqual({
      code: 0,
      out: '── message 1 of 1 · channel default\n<p><b>ℹ️ INFO · Message</b></p><p>Disk &lt;full&gt; &amp; &quot;hot&quot;</p>',
      err: '',
    });
  });

  it('exits 1 naming the problem when the relay would refuse the payload', async () => {
    // Act
    const result = await render(['alertmanager', '-'], { stdin: '{"alerts": 3}' });

    // Assess
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^the relay would refuse this payload \(400\): invalid alertmanager payload: /);
    expect(result.out).toBe('');
  });

  it('refuses with --team a webhook source the team has not turned on, as its ingest would', async () => {
    // Act
    const refused = await render(['alertmanager', fixturePath('alertmanager', 'resolved_three_alerts_capture.json'), '--team', 'quiet'], { teamsDir });
    const event = await render(['s3', fixturePath('s3', 'sqs_wrapping_sns_wrapping_s3_event.json'), '--team', 'quiet'], { teamsDir });

    // Assess
    expect(refused).toEqual({
      code: 1,
      out: '',
      err: expect.stringMatching(/\/quiet\.json does not turn on alertmanager: add it to "sources" there, then deploy it with `npx cdk deploy -c team=quiet`$/),
    });
    // An AWS event source arrives through the queue, not through a source turned on in "sources".
    expect(event.code).toBe(0);
  });

  // Exit 2 for the command line itself, 1 for what it names (a team, a file, a payload), as every command.
  it.each([
    [['alertmanager'], /^usage: spaces-relay render/, 2],
    [['alertmanager', '-', '--colour'], /Unknown option '--colour'/, 2],
    [['generic', '-', '--header', 'no colon'], /--header "no colon": write it as "Name: value"/, 2],
    [['generic', '-', '--team', 'nobody'], /no team config .*nobody\.json \(teams found: example, loud, quiet\)/, 1],
    [['generic', 'missing.json'], /cannot read missing\.json: no such file/, 1],
    [['nagios', '-'], /unknown source "nagios"/, 1],
  ])('refuses %j with a clear line', async (args, message, exitCode) => {
    // Act
    const result = await render(args, { teamsDir });

    // Assess
    expect(result.code).toBe(exitCode);
    expect(result.err).toMatch(message);
  });

  it('runs as a program: exit status and output', () => {
    // Act
    const run = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        "require('./cli/commands/render').render.run(process.argv.slice(1), { out: console.log, err: console.error }).then((code) => { process.exitCode = code; })",
        'grafana',
        fixturePath('grafana', 'firing_two_alerts_grafana_docs.json'),
      ],
      { cwd: REPO, encoding: 'utf8', timeout: 20_000 },
    );

    // Assess
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^── message 1 of 1 · channel default\n🔥 FIRING · /);
  });
});

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { cfnLint } from './support/cfn-lint';
import { addRelayStack, team } from './support/relay';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'node_modules', '.bin');

/** The environment of a command run as a user would, without AWS credentials or a region to lean on. */
function offlineEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  for (const name of Object.keys(env)) if (/^(AWS_|CDK_DEFAULT_)/.test(name)) delete env[name];
  return env;
}

describe('the CDK app', () => {
  let outdir: string;
  let variants: string;

  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), 'relay-synth-'));
    variants = mkdtempSync(join(tmpdir(), 'relay-variants-'));
    // The real thing: the CLI, cdk.json, tsx, esbuild bundling and the cdk-nag plugin, as `npx cdk synth` runs them.
    const synth = spawnSync(join(BIN, 'cdk'), ['synth', '-c', 'team=example', '--output', outdir, '--quiet'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: offlineEnv(),
    });
    if (synth.status !== 0) throw new Error(`cdk synth failed:\n${synth.stdout}\n${synth.stderr}`);

    // The other shapes a team config gives the template, synthesized in-process (without bundling) next to it.
    const app = new App({ outdir: variants, context: { 'aws:cdk:bundling-stacks': [] } });
    addRelayStack(app, team({}, 'minimal'));
    addRelayStack(
      app,
      team(
        {
          tokenSecret: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:relay/token-AbC123',
          sources: ['github', 'gitlab', 'jenkins', 'circleci', 'sns', 'generic'],
          s3Buckets: [{ name: 'uploads' }, { name: 'reports', suffix: '.csv' }],
          attachments: { s3Buckets: [{ name: 'runbooks', prefix: 'ops?/' }], onFailure: 'retry' },
          awsEvents: { alarmStateChanges: {}, codebuild: {}, codepipeline: { pipelines: ['release'] } },
          alarmSubscriptions: {
            emails: ['oncall@example.com'],
            topicArns: ['arn:aws:sns:eu-west-1:123456789012:ops-pager'],
            httpsEndpoints: ['https://pager.example.com/hooks/relay'],
          },
          region: 'eu-west-1',
          // A custom domain whose DNS record the team makes itself (the example has one with a Route 53 alias).
          domain: {
            name: 'relay.example.org',
            certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789',
          },
        },
        'everything',
      ),
    );
    app.synth();
  }, 120_000);

  afterAll(() => {
    rmSync(outdir, { recursive: true, force: true });
    rmSync(variants, { recursive: true, force: true });
  });

  it('synthesizes the example team offline, without credentials, with every acknowledged cdk-nag finding', () => {
    // Assess
    expect(existsSync(join(outdir, 'SpacesRelay-example.template.json'))).toBe(true);
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: unknown[];
    };
    expect(report.pluginReports).toEqual([]);
  });

  it('bundles each handler with esbuild into one small minified file, without source maps', () => {
    // Prepare
    const template = JSON.parse(readFileSync(join(outdir, 'SpacesRelay-example.template.json'), 'utf8'));
    const assets = Object.values<{ Properties: { Handler?: string; Runtime?: string; Code: { S3Key: string } } }>(
      template.Resources,
    )
      .filter((resource) => resource.Properties?.Runtime === 'nodejs22.x')
      .map((resource) => join(outdir, `asset.${resource.Properties.Code.S3Key.replace(/\.zip$/, '')}`));

    // Assess
    expect(assets).toHaveLength(2);
    for (const asset of assets) {
      expect(readdirSync(asset)).toEqual(['index.js']);
      const size = statSync(join(asset, 'index.js')).size;
      expect(size).toBeGreaterThan(50_000);
      expect(size).toBeLessThan(1_000_000);
      expect(readFileSync(join(asset, 'index.js'), 'utf8')).toMatch(/module\.exports/);
    }
  });

  it('passes cfn-lint on every synthesized template', () => {
    // Prepare
    const templates = [
      join(outdir, 'SpacesRelay-example.template.json'),
      join(variants, 'SpacesRelay-minimal.template.json'),
      join(variants, 'SpacesRelay-everything.template.json'),
    ];

    // Act
    const findings = cfnLint(templates);

    // Assess
    expect(findings).toBe('');
  });

  it('fails the lint step, saying so, when cfn-lint is not installed', () => {
    // Act
    const linting = () => cfnLint([join(outdir, 'SpacesRelay-example.template.json')], { ...process.env, PATH: '' });

    // Assess
    expect(linting).toThrow(
      'cfn-lint is not installed (not found on PATH), so the synthesized templates were not linted',
    );
  });

  it('stops with the config problem alone, no stack trace, for a team that does not exist', () => {
    // Act
    const run = spawnSync(join(BIN, 'tsx'), ['infra/app.ts'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: offlineEnv({ CDK_CONTEXT_JSON: JSON.stringify({ team: 'no-such-team' }), CDK_OUTDIR: outdir }),
    });

    // Assess
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toMatch(/^no team config teams\/no-such-team\.json \(teams found: .*example.*\)$/);
  });
});

/**
 * What synth makes of a team config is what the functions read at start-up: each variable the stack sets comes from a
 * team config value checked with the functions' own schema, or a stricter one.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as v from 'valibot';
import { readTeam, TeamConfigSchema } from '../../infra/team-config';
import { readDeliverConfig, readIngestConfig } from '../../lambda/runtime/config';
import { SOURCES } from '../../lambda/sources';
import { jsonFields, schemaFields } from './support/fields';
import { deployedEnvironment, relayStack, team, TEAMS_DIR } from './support/relay';

const KEY_ARN = 'arn:aws:kms:us-west-2:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab';

/** A team config that sets every field and every source setting, none of them to its default. */
const EVERY_FIELD = {
  account: '210987654321',
  region: 'us-west-2',
  spacesApiUrl: 'https://spacesapis.staging.example.com',
  // Upper-case hexadecimal is a space id too.
  channels: { default: '5f2276a8fe5c16664f01c5be', ci: '5f2276a8fe5c16664f01c5bf', uploads: '5F2276A8FE5C16664F01C5C0' },
  tokenSecret: 'arn:aws:secretsmanager:us-west-2:210987654321:secret:relay/spaces-token-AbC123',
  inboundSecret: 'relay/inbound',
  inboundSecretGraceMinutes: 15,
  sources: ['github', 'gitlab', 'jenkins', 'circleci', 'generic'],
  sourceSettings: {
    alertmanager: { useSenderText: true },
    grafana: { useSenderText: true },
    github: { workflowJob: true, checkRun: true, inProgress: true },
    gitlab: { jobEvents: true, inProgress: true },
    jenkins: { inProgress: true },
    circleci: { jobCompleted: true },
    codebuild: { states: ['FAILED', 'IN_PROGRESS'] },
    codepipeline: { states: ['FAILED'], levels: ['pipeline', 'stage', 'action'] },
    s3: { objectRemoved: true },
  },
  templates: {
    github: { title: '{{ payload.event }}: {{ message.title }}', channels: { ci: { link: '→ {{ link.label }}' } } },
  },
  s3Buckets: [
    { name: 'acme-reports', prefix: 'daily/', suffix: '.pdf', channel: 'uploads', kmsKeyArn: KEY_ARN },
    { name: 'acme-screens' },
  ],
  awsEvents: {
    alarmStateChanges: { alarmNamePrefixes: ['acme-'] },
    codebuild: { projects: ['acme-build'] },
    codepipeline: { pipelines: ['acme-release'] },
  },
  attachments: {
    maxBytes: 5_242_880,
    urlHosts: ['grafana.acme.example', '*.acme.example', 'http://10.0.0.5:3000'],
    s3Buckets: [
      { name: 'acme-runbooks', prefix: 'ops/', kmsKeyArn: KEY_ARN },
      { name: 'acme-runbooks', prefix: 'dev/' },
    ],
    onFailure: 'retry',
  },
  alarmSubscriptions: {
    emails: ['oncall@acme.example'],
    topicArns: ['arn:aws:sns:us-west-2:210987654321:acme-pager'],
    httpsEndpoints: ['https://pager.acme.example/hooks/relay'],
  },
  api: { rateLimit: 20, burstLimit: 40 },
  domain: {
    name: 'relay.acme.example',
    certificateArn: 'arn:aws:acm:us-west-2:210987654321:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789',
    hostedZoneId: 'Z0123456789ABCDEFGHIJ',
    zoneName: 'acme.example',
  },
  resolveMode: 'post',
  digestThreshold: 7,
  routes: [
    { match: { source: 'codebuild', status: ['failure', 'timed_out'] }, channel: 'ci' },
    { match: { status: 'success', branch: { regex: '^feature/' } }, drop: true, '//': 'comments are left out' },
  ],
  mentions: {
    targets: { oncall: { id: '5f2276a8fe5c16664f01c5c1', name: 'On-call', type: 'group' } },
    committers: { octocat: 'oncall' },
    rules: [
      { match: { severity: 'critical' }, mention: ['oncall'] },
      { match: { status: 'failure' }, mentionCommitter: true },
    ],
  },
  logLevel: 'DEBUG',
  logRetentionDays: 14,
};

describe('the functions read what the team config means', () => {
  it('is shown by a config that sets every field and every source setting', () => {
    // Prepare
    const shown = new Set(jsonFields(EVERY_FIELD));
    const settingsShown = new Set(jsonFields(EVERY_FIELD.sourceSettings));

    // Act
    const missing = schemaFields(TeamConfigSchema).filter((field) => !shown.has(field));
    const settingsMissing = SOURCES.flatMap((source) =>
      source.settings
        ? Object.keys(v.parse(source.settings, {}) as object)
            .map((setting) => `${source.name}.${setting}`)
            // Set by the stack from s3Buckets, never by a team.
            .filter((setting) => setting !== 's3.buckets' && !settingsShown.has(setting))
        : [],
    );

    // Assess
    expect(missing).toEqual([]);
    expect(settingsMissing).toEqual([]);
  });

  it('through each variable the stack sets, read with the functions own readers', () => {
    // Prepare
    const { stack, template } = relayStack(team(EVERY_FIELD, 'acme'));

    // Act
    const ingest = readIngestConfig(deployedEnvironment(template, stack.relay.ingest.function));
    const deliver = readDeliverConfig(deployedEnvironment(template, stack.relay.deliver.function));

    // Assess
    const s3Buckets = [{ name: 'acme-reports', prefix: 'daily/', suffix: '.pdf', channel: 'uploads' }, { name: 'acme-screens' }];
    expect(ingest.CHANNELS).toEqual(EVERY_FIELD.channels);
    expect(ingest.ENABLED_SOURCES).toEqual(EVERY_FIELD.sources);
    expect(ingest.INBOUND_SECRET_GRACE_MINUTES).toBe(15);
    expect(Object.fromEntries(ingest.SOURCE_SETTINGS)).toEqual({
      ...EVERY_FIELD.sourceSettings,
      s3: { objectRemoved: true, buckets: [] },
    });
    expect(deliver).toMatchObject({
      SPACES_API_URL: 'https://spacesapis.staging.example.com',
      CHANNELS: EVERY_FIELD.channels,
      ATTACHMENT_MAX_BYTES: 5_242_880,
      ATTACHMENT_URL_HOSTS: [
        { host: 'grafana.acme.example', wildcard: false, port: undefined, http: false },
        { host: 'acme.example', wildcard: true, port: undefined, http: false },
        { host: '10.0.0.5', wildcard: false, port: 3000, http: true },
      ],
      ATTACHMENT_S3_BUCKETS: ['acme-runbooks'],
      ATTACHMENT_FAILURE: 'retry',
      S3_BUCKETS: s3Buckets,
      RESOLVE_MODE: 'post',
      DIGEST_THRESHOLD: 7,
    });
    expect(Object.fromEntries(deliver.SOURCE_SETTINGS)).toEqual({
      ...EVERY_FIELD.sourceSettings,
      s3: { objectRemoved: true, buckets: s3Buckets },
    });
    const routes = EVERY_FIELD.routes.map(({ '//': _comment, ...route }) => route);
    expect(ingest.ROUTES).toEqual(routes);
    expect(deliver.ROUTES).toEqual(routes);
    expect(deliver.MENTIONS).toEqual(EVERY_FIELD.mentions);
    expect([...deliver.attachableBuckets].sort()).toEqual(['acme-reports', 'acme-runbooks', 'acme-screens']);
    for (const templates of [ingest.TEMPLATES, deliver.TEMPLATES]) {
      expect([...templates.keys()]).toEqual(['github']);
      expect([...templates.get('github')!.channels.keys()]).toEqual(['ci']);
    }
  });
});

describe('teams/example.json, copied as a team of its own', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'teams-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('gives both functions an environment they start with', () => {
    // Prepare
    copyFileSync(join(TEAMS_DIR, 'example.json'), join(dir, 'acme.json'));
    const { stack, template } = relayStack(readTeam(dir, 'acme'));

    // Act
    const ingest = () => readIngestConfig(deployedEnvironment(template, stack.relay.ingest.function));
    const deliver = () => readDeliverConfig(deployedEnvironment(template, stack.relay.deliver.function));

    // Assess
    expect(stack.stackName).toBe('SpacesRelay-acme');
    expect(ingest).not.toThrow();
    expect(deliver).not.toThrow();
  });
});

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { parseTeamConfig, readTeams, RETENTION_DAYS, TeamConfigError, TeamConfigSchema } from '../../infra/team-config';
import { problemsOf } from './support/config-problems';
import { jsonFields, schemaFields } from './support/fields';
import { MINIMAL_CONFIG, TEAMS_DIR } from './support/relay';


const certificateIn = (region: string) =>
  `arn:aws:acm:${region}:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789`;

describe('team config', () => {
  it("takes exactly CloudWatch Logs' retention periods, as CDK lists them", () => {
    expect([...RETENTION_DAYS]).toEqual(Object.values(RetentionDays).filter((days) => typeof days === 'number'));
  });

  it('fills in the documented defaults for a minimal config', () => {
    // Act
    const config = parseTeamConfig(MINIMAL_CONFIG, 'teams/t.json');

    // Assess
    expect(config).toMatchObject({
      spacesApiUrl: 'https://spacesapis.avayacloud.com',
      sourceSettings: {},
      s3Buckets: [],
      awsEvents: {},
      attachments: { maxBytes: 1073741824, urlHosts: [], s3Buckets: [], onFailure: 'note' },
      alarmSubscriptions: { emails: [], topicArns: [], httpsEndpoints: [] },
      api: { rateLimit: 50, burstLimit: 500 },
      resolveMode: 'edit-and-post',
      digestThreshold: 20,
      logLevel: 'INFO',
      logRetentionDays: 30,
      inboundSecretGraceMinutes: 60,
    });
    expect(config.account).toBeUndefined();
    expect(config.inboundSecret).toBeUndefined();
    expect(config.domain).toBeUndefined();
  });

  it('is documented by teams/example.json, which shows every field and is valid', () => {
    // Prepare
    const example: unknown = JSON.parse(readFileSync(join(TEAMS_DIR, 'example.json'), 'utf8'));

    // Act
    const shown = new Set(jsonFields(example));
    const fields = schemaFields(TeamConfigSchema);
    const missing = fields.filter((field) => !shown.has(field));

    // Assess
    expect(fields).toEqual(
      expect.arrayContaining([
        'channels',
        's3Buckets[].kmsKeyArn',
        'awsEvents.codebuild.projects',
        'attachments.s3Buckets[].prefix',
        'attachments.onFailure',
        'alarmSubscriptions.topicArns',
      ]),
    );
    expect(missing).toEqual([]);
    expect(() => parseTeamConfig(example, 'teams/example.json')).not.toThrow();
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a missing default channel', { channels: { ci: '5f2276a8fe5c16664f01c5bf' } }, 'channels: needs a "default" channel'],
    [
      'a space id that is not one',
      { channels: { default: '5f2276a8fe5c16664f01c5be', ops: 'space-ops' } },
      "channels.ops: must be a Spaces space id, 24 hexadecimal characters (the last part of the space's address)",
    ],
    ['a misspelt field', { chanels: {} }, 'chanels: is not a known field (known fields: account, region, spacesApiUrl, channels, tokenSecret, inboundSecret, inboundSecretGraceMinutes, sources, sourceSettings, templates, s3Buckets, awsEvents, attachments, alarmSubscriptions, api, domain, resolveMode, digestThreshold, routes, mentions, logLevel, logRetentionDays)'],
    ['a misspelt nested field', { api: { rate: 5 } }, 'api.rate: is not a known field (known fields: rateLimit, burstLimit)'],
    [
      'a partial secret ARN',
      { tokenSecret: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:relay' },
      'tokenSecret: must be a Secrets Manager secret name, or its complete ARN (ending in the 6-character suffix)',
    ],
    [
      'the Spaces token as inbound secret',
      { inboundSecret: MINIMAL_CONFIG.tokenSecret },
      'inboundSecret: must differ from tokenSecret: senders would hold the Spaces token',
    ],
    [
      'an AWS source among the webhook sources',
      { sources: ['grafana', 's3'] },
      'sources.1: must be one of alertmanager, grafana, github, gitlab, jenkins, circleci, sns, slack, teams, discord, generic (cloudwatch, codebuild, codepipeline, s3 arrive through awsEvents and s3Buckets)',
    ],
    ['a source listed twice', { sources: ['grafana', 'grafana'] }, 'sources: lists a source twice'],
    [
      'settings for an unknown source',
      { sourceSettings: { grafanna: {} } },
      'sourceSettings.grafanna: is not a source (sources: alertmanager, grafana, github, gitlab, jenkins, circleci, sns, cloudwatch, codebuild, codepipeline, s3, slack, teams, discord, generic)',
    ],
    [
      'settings for a source that has none',
      { sourceSettings: { generic: {} } },
      'sourceSettings.generic: has no settings (sources with settings: alertmanager, grafana, github, gitlab, jenkins, circleci, codebuild, codepipeline, s3)',
    ],
    [
      'a setting GitHub does not have',
      { sourceSettings: { github: { notifyInProgress: false } } },
      'sourceSettings.github.notifyInProgress: is not a setting of github (its settings: workflowJob, checkRun, inProgress)',
    ],
    [
      'a setting CodeBuild does not have',
      { sourceSettings: { codebuild: { channel: 'ci' } } },
      'sourceSettings.codebuild.channel: is not a setting of codebuild (its settings: states)',
    ],
    [
      'a CodeBuild status that does not exist',
      { sourceSettings: { codebuild: { states: ['FAILED', 'DONE'] } } },
      'sourceSettings.codebuild.states.1: must be one of SUCCEEDED, FAILED, FAULT, STOPPED, TIMED_OUT, IN_PROGRESS',
    ],
    [
      'a misspelt S3 setting, which a loose schema would drop',
      { sourceSettings: { s3: { objectRemovd: true } } },
      'sourceSettings.s3.objectRemovd: is not a setting of s3 (its settings: objectRemoved, buckets)',
    ],
    [
      'S3 bucket rules among the source settings',
      { sourceSettings: { s3: { buckets: [{ name: 'reports' }] } } },
      'sourceSettings.s3.buckets: is set by the stack from s3Buckets: list the buckets there',
    ],
    [
      'settings that are not an object',
      { sourceSettings: { github: ['x'] } },
      'sourceSettings.github: must be an object, not a list',
    ],
    [
      'a bad bucket name',
      { s3Buckets: [{ name: 'My_Bucket' }] },
      's3Buckets.0.name: must be an S3 bucket name (3-63 lower-case letters, digits, dots, hyphens)',
    ],
    [
      'a wildcard in a key filter',
      { s3Buckets: [{ name: 'reports', prefix: 'daily/*' }] },
      's3Buckets.0.prefix: is matched literally by S3; wildcards are not supported',
    ],
    [
      'a brace in a key filter',
      { s3Buckets: [{ name: 'reports', suffix: '.{pdf}' }] },
      's3Buckets.0.suffix: must not contain { } [ or ]: S3 advises against them in keys, and the read grant cannot name them',
    ],
    [
      'a bucket channel that does not exist',
      { s3Buckets: [{ name: 'reports', channel: 'ops' }] },
      's3Buckets.0.channel: "ops" is not one of the channels (default)',
    ],
    [
      'overlapping watches on one bucket',
      {
        s3Buckets: [
          { name: 'reports', prefix: 'a/' },
          { name: 'reports', prefix: 'a/b/' },
        ],
      },
      's3Buckets.1: overlaps s3Buckets.0: same bucket, and one prefix/suffix pair covers the other; S3 refuses overlapping notifications',
    ],
    [
      'an attachment limit above the Spaces limit',
      { attachments: { maxBytes: 2 * 1024 ** 3 } },
      'attachments.maxBytes: must be at most 1073741824',
    ],
    [
      'a URL instead of a host',
      { attachments: { urlHosts: ['https://grafana.example.com/render'] } },
      'attachments.urlHosts.0: must be a host, optionally with a port: grafana.example.com, *.example.com, grafana.example.com:8443 or http://grafana.internal:3000',
    ],
    [
      'a bad attachment bucket name',
      { attachments: { s3Buckets: [{ name: 's3://runbooks' }] } },
      'attachments.s3Buckets.0.name: must be an S3 bucket name (3-63 lower-case letters, digits, dots, hyphens)',
    ],
    [
      'a wildcard in an attachment bucket prefix',
      { attachments: { s3Buckets: [{ name: 'runbooks', prefix: 'ops/*' }] } },
      'attachments.s3Buckets.0.prefix: is matched literally by S3; wildcards are not supported',
    ],
    [
      'a suffix on an attachment bucket',
      { attachments: { s3Buckets: [{ name: 'runbooks', suffix: '.md' }] } },
      'attachments.s3Buckets.0.suffix: is not a known field (known fields: name, prefix, kmsKeyArn)',
    ],
    [
      'an unknown attachment failure mode',
      { attachments: { onFailure: 'drop' } },
      'attachments.onFailure: must be note or retry',
    ],
    [
      'an alarm e-mail that is not an address',
      { alarmSubscriptions: { emails: ['oncall'] } },
      'alarmSubscriptions.emails.0: must be an e-mail address, such as oncall@example.com',
    ],
    [
      'an alarm e-mail listed twice',
      { alarmSubscriptions: { emails: ['oncall@example.com', 'ops@example.com', 'oncall@example.com'] } },
      'alarmSubscriptions.emails.2: repeats "oncall@example.com"',
    ],
    [
      'a topic name instead of its ARN',
      { alarmSubscriptions: { topicArns: ['ops-pager'] } },
      'alarmSubscriptions.topicArns.0: must be the ARN of a standard SNS topic: arn:aws:sns:<region>:<account>:<name>',
    ],
    [
      'a FIFO topic',
      { alarmSubscriptions: { topicArns: ['arn:aws:sns:eu-west-1:123456789012:ops.fifo'] } },
      'alarmSubscriptions.topicArns.0: must be the ARN of a standard SNS topic: arn:aws:sns:<region>:<account>:<name>',
    ],
    [
      'a topic in another region than the stack',
      { region: 'eu-west-1', alarmSubscriptions: { topicArns: ['arn:aws:sns:us-east-1:123456789012:ops'] } },
      'alarmSubscriptions.topicArns.0: is in us-east-1, the stack in eu-west-1: CloudWatch alarms publish only to topics in their own region',
    ],
    [
      'a plain http endpoint',
      { alarmSubscriptions: { httpsEndpoints: ['http://pager.example.com/hook'] } },
      'alarmSubscriptions.httpsEndpoints.0: must be an https:// URL: alarms are not sent in clear text',
    ],
    [
      'an endpoint that is not a URL',
      { alarmSubscriptions: { httpsEndpoints: ['pager.example.com/hook'] } },
      'alarmSubscriptions.httpsEndpoints.0: must be an https:// URL: alarms are not sent in clear text',
    ],
    [
      'a misspelt kind of alarm subscription',
      { alarmSubscriptions: { email: ['oncall@example.com'] } },
      'alarmSubscriptions.email: is not a known field (known fields: emails, topicArns, httpsEndpoints)',
    ],
    ['a fractional rate limit', { api: { rateLimit: 2.5 } }, 'api.rateLimit: must be a whole number'],
    ['an unknown resolve mode', { resolveMode: 'replace' }, 'resolveMode: must be edit, post or edit-and-post'],
    [
      'a digest threshold no batch can reach',
      { digestThreshold: 51 },
      'digestThreshold: must be at most 50: deliver folds storms within one batch of that many queued notifications',
    ],
    [
      'a retention CloudWatch does not offer',
      { logRetentionDays: 10 },
      'logRetentionDays: must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653, 9999',
    ],
    ['a section that is not an object', { awsEvents: [] }, 'awsEvents: must be an object, not a list'],
    [
      'a grace period for the previous inbound secret longer than a week',
      { inboundSecretGraceMinutes: 10081 },
      'inboundSecretGraceMinutes: must be at most 10080 minutes (a week)',
    ],
    ['a negative grace period', { inboundSecretGraceMinutes: -5 }, 'inboundSecretGraceMinutes: must be at least 0'],
    [
      'a domain without its certificate',
      { domain: { name: 'relay.example.com' } },
      "domain.certificateArn: required, the ARN of an ACM certificate for the name, in the stack's region",
    ],
    [
      'a domain name with upper-case letters',
      { domain: { name: 'Relay.Example.com', certificateArn: certificateIn('eu-west-1') } },
      'domain.name: must be a domain name such as relay.example.com: lower-case letters, digits and hyphens, in dot-separated labels',
    ],
    [
      'a URL for a domain name',
      { domain: { name: 'https://relay.example.com/', certificateArn: certificateIn('eu-west-1') } },
      'domain.name: must be a domain name such as relay.example.com: lower-case letters, digits and hyphens, in dot-separated labels',
    ],
    [
      'a certificate ARN of another service',
      { domain: { name: 'relay.example.com', certificateArn: 'arn:aws:iam::123456789012:server-certificate/relay' } },
      'domain.certificateArn: must be an ACM certificate ARN: arn:aws:acm:<region>:<account>:certificate/<id>',
    ],
    [
      "a certificate outside the stack's region",
      { region: 'eu-west-1', domain: { name: 'relay.example.com', certificateArn: certificateIn('us-east-1') } },
      'domain.certificateArn: is in us-east-1, but the stack deploys to eu-west-1: a regional API needs its certificate in its own region (request or import it there)',
    ],
    [
      "a certificate outside the stack's account",
      { account: '210987654321', domain: { name: 'relay.example.com', certificateArn: certificateIn('eu-west-1') } },
      'domain.certificateArn: belongs to account 123456789012, but the stack deploys to account 210987654321',
    ],
    [
      'a hosted zone id with its API prefix',
      { domain: { name: 'relay.example.com', certificateArn: certificateIn('eu-west-1'), hostedZoneId: '/hostedzone/Z0123456789ABCDEFGHIJ', zoneName: 'example.com' } },
      'domain.hostedZoneId: must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ (without /hostedzone/)',
    ],
    [
      'a hosted zone id without the zone name',
      { domain: { name: 'relay.example.com', certificateArn: certificateIn('eu-west-1'), hostedZoneId: 'Z0123456789ABCDEFGHIJ' } },
      'domain.zoneName: required with hostedZoneId: the domain name of that zone, such as example.com',
    ],
    [
      'a zone name without the hosted zone id',
      { domain: { name: 'relay.example.com', certificateArn: certificateIn('eu-west-1'), zoneName: 'example.com' } },
      'domain.hostedZoneId: required with zoneName: the id of the Route 53 hosted zone to add the alias record to',
    ],
    [
      'a name outside the zone',
      { domain: { name: 'relay.example.org', certificateArn: certificateIn('eu-west-1'), hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' } },
      'domain.name: is not in the zone example.com: the alias record can only be made there for a name under it',
    ],
    [
      'a name that only ends like the zone',
      { domain: { name: 'notexample.com', certificateArn: certificateIn('eu-west-1'), hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' } },
      'domain.name: is not in the zone example.com: the alias record can only be made there for a name under it',
    ],
    [
      'a route with a bad regular expression',
      { routes: [{ match: { source: 'codebuild' }, drop: true }, { match: {}, drop: true }, { match: { labels: { team: { regex: 'pay(' } } }, drop: true }] },
      'routes.2.match.labels.team: regex "pay(" is not a valid regular expression: /pay(/u: Unterminated group',
    ],
    [
      'a route whose pattern can take exponential time',
      { routes: [{ match: { branch: { regex: '^(feature/.+)+$' } }, drop: true }] },
      'routes.0.match.branch: regex "^(feature/.+)+$" repeats a group that itself repeats or has alternatives (like (a+)+), which can take exponential time',
    ],
    [
      'a route to a channel the team does not have',
      { routes: [{ match: { source: 'codebuild' }, channel: 'ci' }] },
      'routes.0.channel: "ci" is not one of the channels (default)',
    ],
    [
      'a route matching on a key there is not',
      { routes: [{ match: { branch: 'main', team: 'payments' }, drop: true }] },
      'routes.0.match.team: is not a known field (known fields: source, status, severity, title, labels, annotations, repository, branch, project, bucket, prefix)',
    ],
    [
      'a route that neither routes nor drops',
      { routes: [{ match: { status: 'success' } }] },
      'routes.0: needs either "channel" or "drop": true, not both',
    ],
    [
      'a mention of a target the config does not list',
      { mentions: { targets: { oncall: { id: '5f0c0a1b2c3d4e5f60718293', name: 'On-call' } }, rules: [{ match: { severity: 'critical' }, mention: ['oncal'] }] } },
      'mentions.rules.0.mention.0: "oncal" is not one of the targets (oncall)',
    ],
    [
      'a mention rule with a bad regular expression',
      { mentions: { targets: {}, rules: [{ match: { labels: { team: { regex: '*' } } }, mentionCommitter: true }] } },
      'mentions.rules.0.match.labels.team: regex "*" is not a valid regular expression: /*/u: Nothing to repeat',
    ],
  ])('rejects %s, naming the field', (_case, overrides, expected) => {
    // Act
    const problems = problemsOf({ ...MINIMAL_CONFIG, ...overrides });

    // Assess
    expect(problems).toEqual([expected]);
  });

  it.each<[string, unknown, string[]]>([
    [
      'a config without its required fields',
      {},
      [
        'channels: required, an object of channel name → Spaces space id with a "default" channel',
        'tokenSecret: required, the name or ARN of a Secrets Manager secret holding the Spaces token',
        'sources: required, a list of webhook sources (may be empty)',
      ],
    ],
    [
      'a bucket without a name',
      { ...MINIMAL_CONFIG, s3Buckets: [{ prefix: 'daily/' }] },
      ['s3Buckets.0.name: required, the name of an existing S3 bucket'],
    ],
    ['a secret that is not text', { ...MINIMAL_CONFIG, tokenSecret: 5 }, ['tokenSecret: must be a string, not 5']],
    ['one source instead of a list', { ...MINIMAL_CONFIG, sources: 'github' }, ['sources: must be a list, not "github"']],
    ['channels that are not an object', { ...MINIMAL_CONFIG, channels: 'ops' }, ['channels: must be an object, not "ops"']],
    ['a number in quotes', { ...MINIMAL_CONFIG, digestThreshold: '20' }, ['digestThreshold: must be a number, not "20"']],
    [
      'a setting in quotes',
      { ...MINIMAL_CONFIG, sourceSettings: { github: { inProgress: 'yes' } } },
      ['sourceSettings.github.inProgress: must be true or false, not "yes"'],
    ],
    [
      'source settings that are a list',
      { ...MINIMAL_CONFIG, sourceSettings: ['github'] },
      ['sourceSettings: must be an object, not a list'],
    ],
    [
      'one alarm e-mail instead of a list',
      { ...MINIMAL_CONFIG, alarmSubscriptions: { emails: 'oncall@example.com' } },
      ['alarmSubscriptions.emails: must be a list, not "oncall@example.com"'],
    ],
    [
      'a filter list that is one name',
      { ...MINIMAL_CONFIG, awsEvents: { codebuild: { projects: 'api-build' } } },
      ['awsEvents.codebuild.projects: must be a list, not "api-build"'],
    ],
  ])('says in words what is wrong with %s', (_case, config, expected) => {
    // Act
    const problems = problemsOf(config);

    // Assess
    expect(problems).toEqual(expected);
  });

  it('accepts each kind of alarm subscription, a topic of another account in the stack region among them', () => {
    // Prepare
    const alarmSubscriptions = {
      emails: ['oncall@example.com', 'ops+relay@example.co.uk'],
      topicArns: ['arn:aws:sns:eu-west-1:210987654321:ops-pager', 'arn:aws:sns:eu-west-1:123456789012:team_alerts'],
      httpsEndpoints: ['https://events.pagerduty.example/integration/abc/enqueue'],
      '//': 'a comment',
    };

    // Act
    const parsed = parseTeamConfig({ ...MINIMAL_CONFIG, region: 'eu-west-1', alarmSubscriptions }, 'teams/t.json');

    // Assess
    expect(parsed.alarmSubscriptions).toMatchObject({
      emails: alarmSubscriptions.emails,
      topicArns: alarmSubscriptions.topicArns,
      httpsEndpoints: alarmSubscriptions.httpsEndpoints,
    });
  });

  it('takes a topic of any region when the config names none, the stack deploying to the region of the credentials', () => {
    // Act
    const parsing = () =>
      parseTeamConfig(
        { ...MINIMAL_CONFIG, alarmSubscriptions: { topicArns: ['arn:aws:sns:us-east-1:123456789012:ops'] } },
        'teams/t.json',
      );

    // Assess
    expect(parsing).not.toThrow();
  });

  it('takes a domain at the apex of its zone, or under it, and a zone name written with its final dot', () => {
    // Prepare
    const domain = (name: string, zoneName: string) => ({
      ...MINIMAL_CONFIG,
      region: 'eu-west-1',
      domain: { name, certificateArn: certificateIn('eu-west-1'), hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName },
    });

    // Act
    const apex = parseTeamConfig(domain('example.com', 'example.com'), 'teams/t.json');
    const under = parseTeamConfig(domain('hooks.relay.example.com', 'example.com.'), 'teams/t.json');

    // Assess
    expect(apex.domain).toMatchObject({ name: 'example.com', zoneName: 'example.com' });
    expect(under.domain).toMatchObject({ name: 'hooks.relay.example.com', zoneName: 'example.com' });
  });

  it('takes a grace period of 0: the previous inbound secret is refused at once', () => {
    // Act
    const config = parseTeamConfig({ ...MINIMAL_CONFIG, inboundSecretGraceMinutes: 0 }, 'teams/t.json');

    // Assess
    expect(config.inboundSecretGraceMinutes).toBe(0);
  });

  it('passes source settings on without their "//" comments, which the sources would refuse', () => {
    // Prepare
    const config = {
      ...MINIMAL_CONFIG,
      sourceSettings: { '//': 'a comment', github: { '//why': 'starts matter here', inProgress: true } },
    };

    // Act
    const parsed = parseTeamConfig(config, 'teams/t.json');

    // Assess
    expect(parsed.sourceSettings).toEqual({ github: { inProgress: true } });
  });

  it('accepts watches that do not overlap, and "//" comments anywhere', () => {
    // Prepare
    const config = {
      ...MINIMAL_CONFIG,
      '//': 'a comment',
      s3Buckets: [
        { name: 'reports', prefix: 'daily/', '//why': 'the daily reports' },
        { name: 'reports', prefix: 'weekly/' },
        { name: 'archive', prefix: 'daily/' },
      ],
    };

    // Act
    const parsed = parseTeamConfig(config, 'teams/t.json');

    // Assess
    expect(parsed.s3Buckets.map((watch) => `${watch.name}/${watch.prefix}`)).toEqual([
      'reports/daily/',
      'reports/weekly/',
      'archive/daily/',
    ]);
  });
});

describe('readTeams', () => {
  let dir: string;
  const write = (name: string, config: unknown) => writeFileSync(join(dir, `${name}.json`), JSON.stringify(config));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'teams-'));
    write('example', MINIMAL_CONFIG);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads every team but the example when none is asked for', () => {
    // Prepare
    write('payments', MINIMAL_CONFIG);
    write('search', MINIMAL_CONFIG);

    // Act
    const teams = readTeams(dir);

    // Assess
    expect(teams.map((team) => team.name)).toEqual(['payments', 'search']);
  });

  it('falls back to the example when it is the only team', () => {
    // Act
    const teams = readTeams(dir);

    // Assess
    expect(teams.map((team) => team.name)).toEqual(['example']);
  });

  it('reads only the team asked for', () => {
    // Prepare
    write('payments', MINIMAL_CONFIG);

    // Act
    const teams = readTeams(dir, 'example');

    // Assess
    expect(teams.map((team) => team.name)).toEqual(['example']);
  });

  it('fails with the file and every bad field when a team config is invalid', () => {
    // Prepare
    write('payments', { ...MINIMAL_CONFIG, channels: {}, digestThreshold: 0 });

    // Act
    const reading = () => readTeams(dir);

    // Assess
    expect(reading).toThrow(TeamConfigError);
    expect(reading).toThrow(
      /payments\.json is not a valid team config:\n  channels: needs a "default" channel\n  digestThreshold: must be at least 1$/,
    );
  });

  it('fails readably on a file that is not JSON', () => {
    // Prepare
    writeFileSync(join(dir, 'payments.json'), '{ "channels": ');

    // Act
    const reading = () => readTeams(dir, 'payments');

    // Assess
    expect(reading).toThrow(/payments\.json is not valid JSON: /);
  });

  it('names the teams there are when the one asked for does not exist', () => {
    // Act
    const reading = () => readTeams(dir, 'paymnets');

    // Assess
    expect(reading).toThrow(/no team config .*paymnets\.json \(teams found: example\)/);
  });

  it('refuses a team name longer than 64 characters as too long, and takes one of 64', () => {
    // Act
    const tooLong = () => readTeams(dir, `t${'e'.repeat(64)}`);
    const longest = () => readTeams(dir, `t${'e'.repeat(63)}`);

    // Assess
    expect(tooLong).toThrow(/^team "teeeeeeeeeeeeeeeeeee…": too long \(at most 64 characters\)$/);
    expect(longest).toThrow(/^no team config /);
  });

  it('refuses a team name that cannot be part of a stack name', () => {
    // Act
    const reading = () => readTeams(dir, '../etc/passwd');

    // Assess
    expect(reading).toThrow(
      'team "../etc/passwd": a team name starts with a letter and has only letters, digits and hyphens',
    );
  });
});

/**
 * The team's routes and drops on every source family, where the relay applies them: ingest for webhooks, deliver for
 * the AWS events it reads from the queue. Real fixtures; each drop logged with its rule and counted.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as v from 'valibot';
import { notificationsFromRecord } from '../../lambda/deliver/queue-records';
import { ingestWebhook } from '../../lambda/ingest/intake';
import { startLocalRelay, type LocalRelay } from '../../lambda/local/server';
import { checkTemplates } from '../../lambda/render/templates';
import { compileRoutes, RoutesSchema } from '../../lambda/routing/routes';
import { logger } from '../../lambda/runtime/logger';
import { countTotals } from '../../lambda/runtime/metrics';
import { resolveSourceSettings } from '../../lambda/sources/settings';
import { FIXTURES, fixtureBytes, fixtureJson, fixtureSidecar, webhookRequest } from '../support/fixtures';
import { testIntake } from '../support/intake';
import { FAST_QUEUE } from '../support/relay';

const CHANNELS = ['ci', 'payments', 'oncall', 'builds', 'files'];
const routesOf = (rules: unknown[]) => compileRoutes(v.parse(RoutesSchema, rules));

/** Templates compiled as the functions compile them; a template that does not check fails the test. */
function checked(templates: unknown) {
  const result = checkTemplates(templates, ['generic', 'codebuild']);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.templates;
}

/** A fixture posted as its sender posts it (with its recorded headers, if any); local mode has no secret to prove. */
function hook(source: string, name: string, channel?: string) {
  const path = `/hooks/${source}${channel ? `/${channel}` : ''}`;
  const recorded = existsSync(join(FIXTURES, source, name.replace(/\.json$/, '.headers.json')));
  return webhookRequest(path, fixtureBytes(source, name), recorded ? fixtureSidecar(source, name).headers : {});
}

/** A generic message with its JSON. */
const generic = (json: unknown, channel?: string) =>
  webhookRequest(`/hooks/generic${channel ? `/${channel}` : ''}`, JSON.stringify(json));

/** Jenkins posts its result in the FINALIZED phase; the fixture was captured at COMPLETED. */
const jenkinsJob = fixtureJson('jenkins', 'notification_plugin_completed_success_wiki.json');
const jenkinsFinalized = JSON.stringify({ ...jenkinsJob, build: { ...jenkinsJob.build, phase: 'FINALIZED' } });

async function ingest(request: ReturnType<typeof hook>, rules: unknown[]) {
  const { deps, queued } = testIntake({ channels: CHANNELS, overrides: { routes: routesOf(rules) } });
  const response = await ingestWebhook(request, deps);
  return { response, channels: queued.map((n) => n.channel) };
}

describe('routes through ingest (webhooks)', () => {
  it.each([
    // Alerting
    ['alertmanager', hook('alertmanager', 'firing_two_alerts_zulip.json'), { labels: { severity: 'critical' } }, 'oncall'],
    ['grafana', hook('grafana', 'firing_two_alerts_grafana_docs.json'), { source: 'grafana', labels: { team: { regex: '^bl' } } }, 'payments'],
    // CI
    ['github', hook('github', 'workflow_run_completed_success.json'), { repository: 'octo-org/octo-repo', branch: 'master' }, 'ci'],
    ['gitlab', hook('gitlab', 'pipeline_hook_failed_nuecagram.json'), { status: 'failure', branch: { regex: '^main$' } }, 'ci'],
    ['jenkins', webhookRequest('/hooks/jenkins', jenkinsFinalized), { project: 'asgard' }, 'ci'],
    ['circleci', hook('circleci', 'workflow_completed_success_zulip.json'), { repository: { regex: '^zulip-testing/' } }, 'ci'],
    // Generic
    ['generic', generic({ text: 'refund failed', fields: { team: 'payments' } }), { labels: { team: 'payments' } }, 'payments'],
  ])('%s: a matching route sends it to its channel', async (_source, request, match, channel) => {
    // Act: a rule for something else first, so that the first *matching* rule is what decides.
    const { response, channels } = await ingest(request, [{ match: { source: 's3' }, drop: true }, { match, channel }]);

    // Assess
    expect(response).toMatchObject({ statusCode: 202, body: { queued: 1 } });
    expect(channels).toEqual([channel]);
  });

  it.each([
    ['alertmanager', hook('alertmanager', 'firing_single_alert_capture.json'), { status: 'firing', labels: { job: 'host' } }],
    ['grafana', hook('grafana', 'firing_two_alerts_grafana_docs.json'), { title: { regex: 'memory' } }],
    ['github', hook('github', 'workflow_run_completed_success.json'), { source: 'github', status: 'success' }],
    ['gitlab', hook('gitlab', 'pipeline_hook_failed_nuecagram.json'), { repository: 'android-team/customer-app' }],
    ['jenkins', webhookRequest('/hooks/jenkins', jenkinsFinalized), { status: 'success', branch: 'master' }],
    ['circleci', hook('circleci', 'workflow_completed_success_zulip.json'), { status: 'success', branch: ['main', 'master'] }],
    ['generic', generic({ text: 'nightly ok', severity: 'debug' }), { source: 'generic', severity: 'debug' }],
  ])('%s: a drop rule acknowledges it (202) and queues nothing', async (_source, request, match) => {
    // Act
    const { response, channels } = await ingest(request, [{ match: { source: 's3' }, channel: 'files' }, { match, drop: true }]);

    // Assess
    expect(response).toMatchObject({ statusCode: 202, body: { queued: 0, dropped: 1 } });
    expect(channels).toEqual([]);
  });

  it('starts from the channel the path names: kept when no rule matches, replaced by a matching route', async () => {
    // Prepare
    const rules = [{ match: { labels: { team: 'payments' } }, channel: 'payments' }];

    // Act
    const unmatched = await ingest(generic({ text: 'x', fields: { team: 'search' } }, 'builds'), rules);
    const matched = await ingest(generic({ text: 'x', fields: { team: 'payments' } }, 'builds'), rules);

    // Assess
    expect(unmatched.channels).toEqual(['builds']);
    expect(matched.channels).toEqual(['payments']);
  });

  it("writes a routed message with the templates of the channel its route sends it to", async () => {
    // Prepare: the path names no channel; a route sends payments' messages to `payments`, which has a template.
    const templates = checked({ generic: { title: 'all: {{ message.title }}', channels: { payments: { title: 'payments: {{ message.title }}' } } } });
    const { deps, queued } = testIntake({ channels: CHANNELS, overrides: { routes: routesOf([{ match: { labels: { team: 'payments' } }, channel: 'payments' }]), templates } });

    // Act
    await ingestWebhook(generic({ title: 'refund failed', text: 'x', fields: { team: 'payments' } }), deps);
    await ingestWebhook(generic({ title: 'search slow', text: 'x', fields: { team: 'search' } }), deps);

    // Assess
    expect(queued.map((n) => [n.channel, n.message.title])).toEqual([
      ['payments', 'payments: refund failed'],
      ['default', 'all: search slow'],
    ]);
  });

  it('logs each drop with the rule that made it, and counts it by rule', async () => {
    // Prepare
    const info = jest.spyOn(logger, 'info');
    const before = countTotals()['routeDrops.routes.1'] ?? 0;

    // Act
    await ingest(generic({ text: 'x', severity: 'debug' }), [{ match: { source: 's3' }, drop: true }, { match: { severity: 'debug' }, drop: true }]);

    // Assess
    expect(info).toHaveBeenCalledWith('notification dropped by a route', expect.objectContaining({ rule: 'routes.1', source: 'generic' }));
    expect(countTotals()['routeDrops.routes.1']).toBe(before + 1);
    info.mockRestore();
  });
});

describe('routes through deliver (AWS events)', () => {
  const settings = resolveSourceSettings({ s3: { buckets: [{ name: 'example-bucket' }] } });
  const read = (event: unknown, rules: unknown[]) => notificationsFromRecord(JSON.stringify(event), settings, new Date(), { routes: routesOf(rules) }).map((n) => n.channel);

  const cloudwatch = fixtureJson('aws_cloudwatch', 'eventbridge_alarm_state_change_single_metric_aws_docs.json');
  const codebuildFailed = fixtureJson('aws_codebuild', 'build_state_change_failed_functionci.json');
  const codepipeline = fixtureJson('aws_codepipeline', 'pipeline_execution_state_change_failed.json');
  const s3 = fixtureJson('s3', 'eventbridge_object_created.json');

  it.each([
    ['cloudwatch', cloudwatch, { source: 'cloudwatch', status: 'firing', title: 'ServerCpuTooHigh' }, 'oncall'],
    ['codebuild', codebuildFailed, { source: 'codebuild', project: { regex: '^functionci-' } }, 'ci'],
    ['codepipeline', codepipeline, { project: 'myPipeline', status: 'failure' }, 'ci'],
    ['s3', s3, { bucket: 'example-bucket', prefix: 'IMG_' }, 'files'],
  ])('%s: a matching route sends it to its channel', (_source, event, match, channel) => {
    expect(read(event, [{ match: { source: 'generic' }, drop: true }, { match, channel }])).toEqual([channel]);
  });

  it("writes a routed event with the templates of the channel its route sends it to", () => {
    // Prepare
    const templates = checked({ codebuild: { title: 'any: {{ message.title }}', channels: { ci: { title: 'ci: {{ payload.detail.project-name }}' } } } });

    // Act
    const [routedEvent] = notificationsFromRecord(JSON.stringify(codebuildFailed), settings, new Date(), {
      routes: routesOf([{ match: { source: 'codebuild' }, channel: 'ci' }]),
      templates,
    });

    // Assess
    expect([routedEvent!.channel, routedEvent!.message.title]).toEqual(['ci', 'ci: functionci-thestackshack-serverless-demo-master-code-build']);
  });

  it.each([
    ['cloudwatch', cloudwatch, { title: { regex: '^Server' } }],
    ['codebuild', codebuildFailed, { project: 'functionci-thestackshack-serverless-demo-master-code-build' }],
    ['codepipeline', codepipeline, { source: 'codepipeline' }],
    ['s3', s3, { prefix: ['IMG_', 'tmp/'] }],
  ])('%s: a drop rule leaves the record nothing to post', (_source, event, match) => {
    expect(read(event, [{ match: { source: 'generic' }, channel: 'ci' }, { match, drop: true }])).toEqual([]);
  });

  it('leaves an event no rule matches on the channel its source gave (default)', () => {
    expect(read(codepipeline, [{ match: { source: 'codebuild' }, channel: 'ci' }])).toEqual(['default']);
  });

  it('does not route again what ingest queued (routed there already)', () => {
    // Prepare: a queued notification that a route would send elsewhere if it were read as an event.
    const queued = {
      v: 1,
      id: 'id',
      deliveryKey: 'generic:k',
      receivedAt: '2026-01-01T00:00:00Z',
      channel: 'builds',
      message: { source: 'generic', status: 'info', title: 't', fields: [], links: [], items: [], attachments: [] },
    };

    // Act
    const channels = read(queued, [{ match: { source: 'generic' }, drop: true }]);

    // Assess
    expect(channels).toEqual(['builds']);
  });
});

describe('routes on the local relay (the deployed handlers, ROUTES as the stack sets it)', () => {
  let relay: LocalRelay;

  beforeAll(async () => {
    relay = await startLocalRelay({
      port: 0,
      queue: FAST_QUEUE,
      settings: {
        CHANNELS: JSON.stringify({ default: 'space-default', ci: 'space-ci' }),
        ROUTES: JSON.stringify([
          { match: { source: 'codebuild', status: 'success' }, drop: true },
          { match: { source: ['codebuild', 'github'] }, channel: 'ci' },
        ]),
      },
    });
  });

  afterAll(async () => {
    await relay.close();
  });

  const post = async (path: string, body: Buffer | string, headers: Record<string, string> = { 'content-type': 'application/json' }) => {
    const response = await fetch(`${relay.url}${path}`, { method: 'POST', headers, body });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const spacesOf = (source: string) => relay.standIn!.messages.filter((m) => m.bodyText.includes(source)).map((m) => m.spaceId);

  it('posts a routed event to its channel’s space, and acknowledges a dropped one without posting', async () => {
    // Act
    const failed = await post('/events', fixtureBytes('aws_codebuild', 'build_state_change_failed_functionci.json'));
    const succeeded = await post('/events', fixtureBytes('aws_codebuild', 'build_state_change_succeeded.json'));

    // Assess: both handled (deleted from the queue); only the failure posted, in the ci space.
    expect(failed).toMatchObject({ status: 200, body: { records: [{ outcome: 'handled' }] } });
    expect(succeeded).toMatchObject({ status: 200, body: { records: [{ outcome: 'handled' }] } });
    expect(spacesOf('functionci-thestackshack')).toEqual(['space-ci']);
    expect(spacesOf('my-sample-project')).toEqual([]);
  });

  it('routes a webhook before it is queued', async () => {
    // Prepare
    const name = 'workflow_run_completed_success.json';

    // Act
    const response = await post('/hooks/github', fixtureBytes('github', name), fixtureSidecar('github', name).headers);
    await relay.queue.idle();

    // Assess
    expect(response).toMatchObject({ status: 202, body: { queued: 1 } });
    expect(spacesOf('octo-org/octo-repo')).toEqual(['space-ci']);
  });
});

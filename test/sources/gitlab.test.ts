import { ingestWebhook } from '../../lambda/ingest/intake';
import { renderMessage } from '../../lambda/render/body-text';
import { resolveSourceSettings } from '../../lambda/sources/settings';
import type { InboundRequest } from '../../lambda/sources/source';
import { fixtureBytes, fixtureJson, fixtureNames, fixtureSidecar, webhookRequest } from '../support/fixtures';
import { testIntake } from '../support/intake';

/** The token the fixtures' sidecars carry in X-Gitlab-Token. */
const TOKEN = 'my-secret-token';

function delivery(name: string): InboundRequest {
  return webhookRequest('/hooks/gitlab', fixtureBytes('gitlab', name), fixtureSidecar('gitlab', name).headers);
}

/** A variant of a fixture: its JSON changed by `change`, with the fixture's headers (GitLab signs nothing). */
function variant(name: string, change: (body: any) => void, headers: Record<string, string> = {}): InboundRequest {
  const body = fixtureJson('gitlab', name);
  change(body);
  return webhookRequest('/hooks/gitlab', JSON.stringify(body), { ...fixtureSidecar('gitlab', name).headers, ...headers });
}

async function ingest(request: InboundRequest, settings = {}, secret = TOKEN) {
  const intake = testIntake({ secret, settings });
  const response = await ingestWebhook(request, intake.deps);
  const html = intake.queued.map((n) => renderMessage(n.message).join('')).join('\n');
  return { response, queued: intake.queued, html };
}

/**
 * GitLab's Job Hook has no fixture (the docs example is not valid JSON): this one is assembled from the failed job of
 * the docs pipeline fixture, under the field names of GitLab's "Job events" docs.
 */
function jobHookFromDocsPipeline(): InboundRequest {
  const pipeline = fixtureJson('gitlab', 'pipeline_hook_success_gitlab_docs.json');
  const job = pipeline.builds.find((build: { status: string }) => build.status === 'failed');
  const body = {
    object_kind: 'build',
    ref: pipeline.object_attributes.ref,
    tag: false,
    sha: pipeline.object_attributes.sha,
    build_id: job.id,
    build_name: job.name,
    build_stage: job.stage,
    build_status: job.status,
    build_duration: job.duration,
    build_allow_failure: job.allow_failure,
    build_failure_reason: job.failure_reason,
    pipeline_id: pipeline.object_attributes.id,
    project_id: pipeline.project.id,
    project_name: pipeline.project.path_with_namespace,
    user: pipeline.user,
    commit: { id: pipeline.object_attributes.id, sha: pipeline.commit.id, message: pipeline.commit.message },
    repository: { name: pipeline.project.name, homepage: pipeline.project.web_url },
    project: pipeline.project,
  };
  const headers = { ...fixtureSidecar('gitlab', 'pipeline_hook_success_gitlab_docs.json').headers, 'X-Gitlab-Event': 'Job Hook' };
  return webhookRequest('/hooks/gitlab', JSON.stringify(body), headers);
}

describe('gitlab source', () => {
  describe('every fixture', () => {
    it.each(fixtureNames('gitlab'))('%s is accepted with its token and queued as one message', async (name) => {
      const { response, queued } = await ingest(delivery(name));

      expect(response.statusCode).toBe(202);
      expect(queued).toHaveLength(1);
      expect(queued[0]!.message.source).toBe('gitlab');
    });
  });

  describe('Pipeline Hook', () => {
    it('failed (captured): project, branch, commit title, actor, duration, and the failed job with stage and reason', async () => {
      // Act
      const { queued, html } = await ingest(delivery('pipeline_hook_failed_nuecagram.json'));

      // Assess
      expect(queued[0]!.message).toMatchObject({ status: 'failure', title: 'customer-app pipeline' });
      expect(html).toContain('❌ FAILED · customer-app pipeline');
      expect(html).toContain('<p>Add new feature</p>');
      expect(html).toContain('<b>Repository</b>: android-team/customer-app');
      expect(html).toContain('<b>Branch</b>: main');
      expect(html).toContain('<b>Commit</b>: e2b9fff');
      expect(html).toContain('<b>Actor</b>: raquezha');
      expect(html).toContain('<b>Duration</b>: 1m 04s');
      expect(html).toContain('<a href="https://gitlab.com/android-team/customer-app/-/pipelines/53480">Pipeline #53480</a>');
      // Only the failed job is listed; the skipped ones after it are consequences.
      expect(queued[0]!.message.items).toHaveLength(1);
      expect(html).toContain('❌ <b>ktlint</b> <i>failed</i> — script failure<br><b>Stage</b>: test');
      expect(html).toContain('<a href="https://gitlab.com/android-team/customer-app/-/jobs/480895">Job</a>');
    });

    it('docs example: pipeline name, MR and upstream pipeline links', async () => {
      const { html } = await ingest(delivery('pipeline_hook_success_gitlab_docs.json'));

      expect(html).toContain('✔️ SUCCEEDED · Pipeline for branch: master');
      expect(html).toContain('<a href="http://example.com/gitlab-org/gitlab-test/-/pipelines/31">Pipeline #31</a>');
      expect(html).toContain('<a href="http://192.168.64.1:3005/gitlab-org/gitlab-test/merge_requests/1">MR !1</a>');
      expect(html).toContain('<a href="https://gitlab.example.com/gitlab-org/upstream-project/-/pipelines/30">Upstream pipeline</a>');
      expect(html).toContain('<b>Trigger</b>: merge_request_event');
    });

    it('a 2016 delivery without pipeline url links the pipeline under the project', async () => {
      const { html } = await ingest(delivery('pipeline_hook_success_zulip.json'));

      expect(html).toContain('<a href="https://gitlab.com/TomaszKolek/my-awesome-project/-/pipelines/4414206">Pipeline #4414206</a>');
      expect(html).toContain('<b>Duration</b>: 1m 24s');
    });

    it.each([
      ['canceled', '⚪ CANCELLED (canceled)'],
      ['skipped', '⏭️ SKIPPED'],
      ['manual', '✋ ACTION REQUIRED (manual)'],
    ])('status %s (success fixture with only the status changed) reads %s', async (status, look) => {
      const request = variant('pipeline_hook_success_go_gitlab.json', (body) => (body.object_attributes.status = status));

      const { html } = await ingest(request);

      expect(html).toContain(`${look} · Gitlab Test pipeline`);
    });

    it('running (derived from the success fixture) is ignored by default and posted as STARTED with inProgress', async () => {
      const request = (): InboundRequest =>
        variant('pipeline_hook_success_go_gitlab.json', (body) => (body.object_attributes.status = 'running'));

      const quiet = await ingest(request());
      const started = await ingest(request(), { gitlab: { inProgress: true } });

      expect(quiet.response.body).toMatchObject({ queued: 0 });
      expect(started.html).toContain('▶️ STARTED (running) · Gitlab Test pipeline');
      expect(started.html).not.toContain('<b>Duration</b>');
    });

    it.each(['created', 'pending', 'waiting_for_resource'])('status %s (derived) is never posted', async (status) => {
      const request = variant('pipeline_hook_success_go_gitlab.json', (body) => (body.object_attributes.status = status));

      const { response } = await ingest(request, { gitlab: { inProgress: true } });

      expect(response.body).toMatchObject({ queued: 0 });
    });

    it('a tag pipeline (derived) says Tag rather than Branch', async () => {
      const request = variant('pipeline_hook_success_zulip.json', (body) => {
        body.object_attributes.ref = 'v1.2.0';
        body.object_attributes.tag = true;
      });

      const { html } = await ingest(request);

      expect(html).toContain('<b>Tag</b>: v1.2.0');
      expect(html).not.toContain('<b>Branch</b>');
    });
  });

  describe('Job Hook', () => {
    it('is acknowledged without a message by default', async () => {
      const { response } = await ingest(jobHookFromDocsPipeline());

      expect(response).toMatchObject({ statusCode: 202, body: { queued: 0 } });
    });

    it('with jobEvents, a failed job (assembled from the docs pipeline fixture) names stage, reason and links', async () => {
      const { html } = await ingest(jobHookFromDocsPipeline(), { gitlab: { jobEvents: true } });

      expect(html).toContain('❌ FAILED · test-build');
      expect(html).toContain('<b>Stage</b>: test');
      expect(html).toContain('<b>Reason</b>: script failure');
      expect(html).toContain('<b>Duration</b>: 17s');
      expect(html).toContain('<a href="http://192.168.64.1:3005/gitlab-org/gitlab-test/-/jobs/378">Job</a>');
      expect(html).toContain('<a href="http://192.168.64.1:3005/gitlab-org/gitlab-test/-/pipelines/31">Pipeline #31</a>');
    });
  });

  describe('events it does not read', () => {
    it('a Push Hook is acknowledged with 202 and nothing queued', async () => {
      const request = variant('pipeline_hook_success_zulip.json', () => undefined, { 'X-Gitlab-Event': 'Push Hook' });

      const { response, queued } = await ingest(request);

      expect(response).toEqual({ statusCode: 202, body: { id: 'test-request', queued: 0, note: 'acknowledged: nothing to post' } });
      expect(queued).toEqual([]);
    });
  });

  describe('token (X-Gitlab-Token)', () => {
    it('accepts the configured token', async () => {
      const { response } = await ingest(delivery('pipeline_hook_failed_nuecagram.json'));

      expect(response.statusCode).toBe(202);
    });

    it('refuses another token', async () => {
      const { response, queued } = await ingest(delivery('pipeline_hook_failed_nuecagram.json'), {}, 'another-token');

      expect(response.statusCode).toBe(401);
      expect(queued).toEqual([]);
    });

    it('refuses a request without the header', async () => {
      const request = delivery('pipeline_hook_failed_nuecagram.json');
      const { 'x-gitlab-token': _dropped, ...headers } = request.headers;

      const { response } = await ingest({ ...request, headers });

      expect(response.statusCode).toBe(401);
      expect(response.body.message).toMatch(/missing X-Gitlab-Token/);
    });

    it('does not cover the body: GitLab signs nothing, so a changed body with the right token is accepted', async () => {
      const request = variant('pipeline_hook_failed_nuecagram.json', (body) => (body.object_attributes.status = 'success'));

      const { response, html } = await ingest(request);

      expect(response.statusCode).toBe(202);
      expect(html).toContain('SUCCEEDED');
    });
  });

  describe('rejection', () => {
    it('a Pipeline Hook without object_attributes.sha is a 400 naming the field', async () => {
      const request = variant('pipeline_hook_failed_nuecagram.json', (body) => delete body.object_attributes.sha);

      const { response, queued } = await ingest(request);

      expect(response.statusCode).toBe(400);
      expect(response.body.field).toBe('body.object_attributes.sha');
      expect(queued).toEqual([]);
    });

    it('a request without X-Gitlab-Event is a 400 naming the header', async () => {
      const request = delivery('pipeline_hook_failed_nuecagram.json');
      const { 'x-gitlab-event': _dropped, ...headers } = request.headers;

      const { response } = await ingest({ ...request, headers });

      expect(response.statusCode).toBe(400);
      expect(response.body.field).toBe('x-gitlab-event');
    });
  });

  describe('delivery key', () => {
    const keyOf = async (headers: Record<string, string>, drop: string[] = []): Promise<string> => {
      const request = variant('pipeline_hook_failed_nuecagram.json', () => undefined, headers);
      const kept = Object.fromEntries(Object.entries(request.headers).filter(([name]) => !drop.includes(name)));
      const { queued } = await ingest({ ...request, headers: kept });
      return queued[0]!.deliveryKey;
    };

    it('follows Idempotency-Key, which GitLab keeps when it retries a delivery', async () => {
      const original = await keyOf({});
      const retry = await keyOf({ 'X-Gitlab-Event-UUID': 'another-event-uuid' });
      const other = await keyOf({ 'Idempotency-Key': 'another-idempotency-key' });

      expect(retry).toBe(original);
      expect(other).not.toBe(original);
    });

    it('falls back to X-Gitlab-Event-UUID on GitLab versions without Idempotency-Key', async () => {
      const one = await keyOf({}, ['idempotency-key']);
      const same = await keyOf({}, ['idempotency-key']);
      const other = await keyOf({ 'X-Gitlab-Event-UUID': 'another-event-uuid' }, ['idempotency-key']);

      expect(same).toBe(one);
      expect(other).not.toBe(one);
    });
  });

  describe('settings', () => {
    it('are off by default', () => {
      expect(resolveSourceSettings({}).get('gitlab')).toEqual({ jobEvents: false, inProgress: false });
    });
  });
});

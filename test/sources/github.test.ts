import { notificationsFromRecord } from '../../lambda/deliver/queue-records';
import { ingestWebhook } from '../../lambda/ingest/intake';
import { renderMessage } from '../../lambda/render/body-text';
import { ConfigError } from '../../lambda/runtime/errors';
import { github } from '../../lambda/sources/github';
import { hashedKey } from '../../lambda/sources/delivery-key';
import { resolveSourceSettings } from '../../lambda/sources/settings';
import { hmacSha256Hex } from '../../lambda/security/hmac';
import { fixtureBytes, fixtureJson, fixtureNames, fixtureSidecar, webhookRequest } from '../support/fixtures';
import { testIntake } from '../support/intake';

/** The secret of GitHub's "Validating webhook deliveries" docs, which signed the octokit fixtures' sidecars. */
const DOCS_SECRET = "It's a Secret to Everybody";
const ALL_ON = { github: { workflowJob: true, checkRun: true, inProgress: true } };

/** A fixture as GitHub delivers it: its raw bytes and its sidecar headers (signature included). */
function delivery(name: string) {
  const { headers, secret } = fixtureSidecar('github', name);
  return { request: webhookRequest('/hooks/github', fixtureBytes('github', name), headers), secret: secret! };
}

/** A variant of a fixture: the JSON changed by `change`, signed again with the docs secret. */
function variant(name: string, change: (body: any) => void) {
  const body = fixtureJson('github', name);
  change(body);
  const bytes = Buffer.from(JSON.stringify(body));
  const { headers } = fixtureSidecar('github', name);
  const request = webhookRequest('/hooks/github', bytes, {
    ...headers,
    'X-Hub-Signature-256': `sha256=${hmacSha256Hex(DOCS_SECRET, bytes)}`,
  });
  return { request, secret: DOCS_SECRET };
}

/** Ingests one delivery and renders what was queued. */
async function ingest({ request, secret }: { request: ReturnType<typeof webhookRequest>; secret: string }, settings = {}) {
  const intake = testIntake({ secret, settings });
  const response = await ingestWebhook(request, intake.deps);
  const html = intake.queued.map((n) => renderMessage(n.message).join('')).join('\n');
  return { response, queued: intake.queued, html };
}

describe('github source', () => {
  describe('every fixture', () => {
    const expected: Record<string, { byDefault: number; allOn: number }> = {
      'check_run_completed_failure.json': { byDefault: 0, allOn: 1 },
      'check_run_completed_skipped_capture.json': { byDefault: 0, allOn: 1 },
      'check_run_completed_success.json': { byDefault: 0, allOn: 1 },
      'check_suite_completed_success.json': { byDefault: 1, allOn: 1 },
      // A GitHub Actions suite: its workflow_run says the same, with the workflow's name.
      'check_suite_completed_success_capture.json': { byDefault: 0, allOn: 0 },
      'ping.json': { byDefault: 0, allOn: 0 },
      'workflow_job_completed_failure.json': { byDefault: 0, allOn: 1 },
      'workflow_run_completed_success.json': { byDefault: 1, allOn: 1 },
      'workflow_run_completed_success_with_prs.json': { byDefault: 1, allOn: 1 },
      'workflow_run_in_progress_capture.json': { byDefault: 0, allOn: 1 },
    };
    const names = fixtureNames('github').filter((name) => name !== 'signature_test_vector_github_docs.json');

    it('covers each fixture in the folder', () => {
      expect(names).toEqual(Object.keys(expected).sort());
    });

    it.each(names)('%s is verified with its sidecar signature, accepted, and queued as the settings say', async (name) => {
      // Prepare
      const counts = expected[name]!;

      // Act
      const byDefault = await ingest(delivery(name));
      const allOn = await ingest(delivery(name), ALL_ON);

      // Assess
      expect(byDefault.response.statusCode).toBe(202);
      expect(byDefault.queued).toHaveLength(counts.byDefault);
      expect(allOn.response.statusCode).toBe(202);
      expect(allOn.queued).toHaveLength(counts.allOn);
    });
  });

  describe('messages', () => {
    it('workflow_run completed success: workflow, commit title, repository, branch, commit, actor, run link', async () => {
      // Act
      const { queued, html } = await ingest(delivery('workflow_run_completed_success.json'));

      // Assess
      expect(queued[0]!.message).toMatchObject({ source: 'github', status: 'success', title: 'test' });
      expect(html).toContain('✔️ SUCCEEDED · test');
      expect(html).toContain('<p>build(test): check workflow run event payload</p>');
      expect(html).toContain('<b>Repository</b>: octo-org/octo-repo');
      expect(html).toContain('<b>Branch</b>: master');
      expect(html).toContain('<b>Commit</b>: 3484a3f');
      expect(html).toContain('<b>Actor</b>: Codertocat');
      expect(html).toContain('<b>Trigger</b>: repository_dispatch');
      expect(html).toContain('<a href="https://github.com/octo-org/octo-repo/actions/runs/289782451">Run #163</a>');
      expect(html).toContain(
        '<a href="https://github.com/octo-org/octo-repo/commit/3484a3fb816e0859fd6e1cea078d76385ff50625">Commit</a>',
      );
    });

    it('workflow_run with pull requests links each PR on the repository', async () => {
      const { html } = await ingest(delivery('workflow_run_completed_success_with_prs.json'));

      expect(html).toContain('<a href="https://github.com/octo-org/octo-repo/pull/2">PR #2</a>');
    });

    it.each([
      ['failure', '❌ FAILED'],
      ['cancelled', '⚪ CANCELLED'],
      ['timed_out', '⏱️ TIMED OUT'],
      ['skipped', '⏭️ SKIPPED'],
      ['neutral', '➖ NEUTRAL'],
      ['action_required', '✋ ACTION REQUIRED'],
      // GitHub gave up waiting for the suite: no verdict, and GitHub's word says why.
      ['stale', '➖ NEUTRAL (stale)'],
    ])('workflow_run conclusion %s (success fixture with only the conclusion changed) reads %s', async (conclusion, look) => {
      // Prepare
      const request = variant('workflow_run_completed_success.json', (body) => (body.workflow_run.conclusion = conclusion));

      // Act
      const { response, html } = await ingest(request);

      // Assess
      expect(response.statusCode).toBe(202);
      expect(html).toContain(`${look} · test`);
      expect(html).not.toContain('<b>Conclusion</b>');
    });

    it('workflow_run startup_failure (derived from the success fixture) reads FAILED and keeps GitHub’s word', async () => {
      const request = variant('workflow_run_completed_success.json', (body) => (body.workflow_run.conclusion = 'startup_failure'));

      const { html } = await ingest(request);

      expect(html).toContain('❌ FAILED (startup_failure) · test');
      expect(html).not.toContain('<b>Conclusion</b>');
    });

    it('workflow_run of a second attempt (derived from the success fixture) says which attempt', async () => {
      const request = variant('workflow_run_completed_success.json', (body) => (body.workflow_run.run_attempt = 2));

      const { html } = await ingest(request);

      expect(html).toContain('<b>Attempt</b>: 2');
    });

    it('workflow_run in_progress is ignored by default and posted as STARTED with inProgress', async () => {
      const quiet = await ingest(delivery('workflow_run_in_progress_capture.json'));
      const started = await ingest(delivery('workflow_run_in_progress_capture.json'), { github: { inProgress: true } });

      expect(quiet.response.body).toMatchObject({ queued: 0 });
      expect(started.html).toContain('▶️ STARTED · CodeQL');
      expect(started.html).toContain('<b>Branch</b>: refs/pull/166/head');
      expect(started.html).not.toContain('<b>Duration</b>');
      expect(started.html).toContain('<a href="https://github.com/derekg1729/test-repo/actions/runs/18436407157">Run #189</a>');
    });

    it('workflow_run requested (derived from the success fixture) is never posted', async () => {
      const request = variant('workflow_run_completed_success.json', (body) => (body.action = 'requested'));

      const { response } = await ingest(request, ALL_ON);

      expect(response.body).toMatchObject({ queued: 0 });
    });

    it('check_suite of another CI app: app name, commit title, checks and PR links', async () => {
      const { html } = await ingest(delivery('check_suite_completed_success.json'));

      expect(html).toContain('✔️ SUCCEEDED · octocoders-linter');
      expect(html).toContain('<p>Update README.md</p>');
      expect(html).toContain('<b>Branch</b>: changes');
      expect(html).toContain('<b>Duration</b>: 43s');
      expect(html).toContain(
        '<a href="https://github.com/Codertocat/Hello-World/commit/ec26c3e57ca3a959ca5aad62de7213c562f8c821/checks?check_suite_id=118578147">Checks</a>',
      );
      expect(html).toContain('<a href="https://github.com/Codertocat/Hello-World/pull/2">PR #2</a>');
    });

    it('check_suite of GitHub Actions is acknowledged without a message (its workflow_run is posted)', async () => {
      const { response } = await ingest(delivery('check_suite_completed_success_capture.json'), ALL_ON);

      expect(response).toEqual({ statusCode: 202, body: { id: 'test-request', queued: 0, note: 'acknowledged: nothing to post' } });
    });

    it('check_run failure, with checkRun: check name, app, run and details links', async () => {
      const { html } = await ingest(delivery('check_run_completed_failure.json'), { github: { checkRun: true } });

      expect(html).toContain('❌ FAILED · Octocoders-linter');
      expect(html).toContain('<b>App</b>: octocoders-linter');
      expect(html).toContain('<a href="https://github.com/Codertocat/Hello-World/runs/128620228">Check run</a>');
      expect(html).toContain('<a href="https://octocoders.io/">Details</a>');
    });

    it('check_run skipped (captured), with checkRun, reads SKIPPED', async () => {
      const { html } = await ingest(delivery('check_run_completed_skipped_capture.json'), { github: { checkRun: true } });

      expect(html).toContain('⏭️ SKIPPED · OpenSSF Scorecard (weekly)');
      expect(html).toContain('<b>Branch</b>: e2e-test-1760227487027');
    });

    it('workflow_job failure, with workflowJob: workflow / job, the failed step, job and run links', async () => {
      const { html } = await ingest(delivery('workflow_job_completed_failure.json'), { github: { workflowJob: true } });

      expect(html).toContain('❌ FAILED · CodeQL / linters');
      expect(html).toContain('<p>Step “Run yarn run format-check” failed</p>');
      expect(html).toContain('<b>Duration</b>: 3m 18s');
      expect(html).toContain('<a href="https://github.com/octo-org/octo-repo/runs/1291536064">Job</a>');
      expect(html).toContain('<a href="https://github.com/Codertocat/Hello-World/actions/runs/2202229078">Run</a>');
    });

    it('shortens a commit id by characters, never keeping half of one, so that deliver can read what is queued', async () => {
      // Prepare: characters past U+FFFF take two UTF-16 units each; cutting at 7 units would keep half of the fourth.
      const request = variant('workflow_run_completed_success.json', (body) => {
        body.workflow_run.head_sha = '𐀀𐀀𐀀𐀀𐀀𐀀𐀀𐀀';
      });

      // Act
      const { queued } = await ingest(request);

      // Assess
      expect(queued[0]!.message.fields).toContainEqual({ name: 'Commit', value: '𐀀𐀀𐀀𐀀𐀀𐀀𐀀' });
      expect(notificationsFromRecord(JSON.stringify(queued[0]), resolveSourceSettings({}))).toHaveLength(1);
    });

    it('escapes what the payload says', async () => {
      const request = variant('workflow_run_completed_success.json', (body) => {
        body.workflow_run.head_commit.message = '<script>alert(1)</script>\n\nbody';
      });

      const { html } = await ingest(request);

      expect(html).toContain('<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>');
      expect(html).not.toContain('<script>');
    });
  });

  describe('events it does not read', () => {
    it('ping is acknowledged with 202 and nothing queued', async () => {
      const { response, queued } = await ingest(delivery('ping.json'));

      expect(response).toEqual({ statusCode: 202, body: { id: 'test-request', queued: 0, note: 'acknowledged: nothing to post' } });
      expect(queued).toEqual([]);
    });

    it('an event type it does not know (push) is acknowledged, its body unchecked', async () => {
      // Prepare: the ping body under another event name.
      const { request, secret } = delivery('ping.json');
      const push = { ...request, headers: { ...request.headers, 'x-github-event': 'push' } };

      // Act
      const { response, queued } = await ingest({ request: push, secret });

      // Assess
      expect(response.statusCode).toBe(202);
      expect(queued).toEqual([]);
    });

    it('the form-encoded content type (GitHub’s default) is read too', async () => {
      // Prepare
      const json = fixtureBytes('github', 'workflow_run_completed_success.json').toString('utf8');
      const form = Buffer.from(new URLSearchParams({ payload: json }).toString());
      const { headers } = fixtureSidecar('github', 'workflow_run_completed_success.json');
      const request = webhookRequest('/hooks/github', form, {
        ...headers,
        'Content-Type': 'application/x-www-form-urlencoded',
        'X-Hub-Signature-256': `sha256=${hmacSha256Hex(DOCS_SECRET, form)}`,
      });

      // Act
      const { response, html } = await ingest({ request, secret: DOCS_SECRET });

      // Assess
      expect(response.statusCode).toBe(202);
      expect(html).toContain('✔️ SUCCEEDED · test');
    });
  });

  describe('signature (X-Hub-Signature-256)', () => {
    it('accepts the captured signature of a live delivery', async () => {
      const { response } = await ingest(delivery('check_suite_completed_success_capture.json'));

      expect(response.statusCode).toBe(202);
    });

    it('accepts the GitHub docs test vector', () => {
      // Prepare
      const vector = fixtureJson('github', 'signature_test_vector_github_docs.json');
      const request = webhookRequest('/hooks/github', vector.payload, { 'X-Hub-Signature-256': vector['X-Hub-Signature-256'] });

      // Act / Assess
      expect(() => github.webhook!.verify!(request, vector.secret)).not.toThrow();
    });

    it('refuses a signature made with another secret', async () => {
      const { request } = delivery('workflow_run_completed_success.json');

      const { response, queued } = await ingest({ request, secret: 'another secret' });

      expect(response.statusCode).toBe(401);
      expect(response.body.message).toMatch(/does not match/);
      expect(queued).toEqual([]);
    });

    it('refuses a request without the header', async () => {
      const { request, secret } = delivery('workflow_run_completed_success.json');
      const { 'x-hub-signature-256': _dropped, ...headers } = request.headers;

      const { response } = await ingest({ request: { ...request, headers }, secret });

      expect(response.statusCode).toBe(401);
      expect(response.body.message).toMatch(/missing X-Hub-Signature-256/);
    });

    it('refuses a tampered body (one byte changed) under the original signature', async () => {
      const { request, secret } = delivery('workflow_run_completed_success.json');
      const body = Buffer.from(request.body.toString('utf8').replace('"conclusion": "success"', '"conclusion": "failure"'));
      expect(body.equals(request.body)).toBe(false);

      const { response } = await ingest({ request: { ...request, body }, secret });

      expect(response.statusCode).toBe(401);
    });

    it('refuses the SHA-1 X-Hub-Signature alone', async () => {
      const { request, secret } = delivery('workflow_run_completed_success.json');
      const { 'x-hub-signature-256': _dropped, ...headers } = request.headers;

      const { response } = await ingest({ request: { ...request, headers }, secret });

      expect(headers['x-hub-signature']).toBeDefined();
      expect(response.statusCode).toBe(401);
    });
  });

  describe('rejection', () => {
    it('a workflow_run without workflow_run.html_url is a 400 naming the field', async () => {
      const request = variant('workflow_run_completed_success.json', (body) => delete body.workflow_run.html_url);

      const { response, queued } = await ingest(request);

      expect(response.statusCode).toBe(400);
      expect(response.body.field).toBe('body.workflow_run.html_url');
      expect(queued).toEqual([]);
    });

    it('a request without X-GitHub-Event is a 400 naming the header', async () => {
      const { request, secret } = delivery('workflow_run_completed_success.json');
      const { 'x-github-event': _dropped, ...headers } = request.headers;

      const { response } = await ingest({ request: { ...request, headers }, secret });

      expect(response.statusCode).toBe(400);
      expect(response.body.field).toBe('x-github-event');
    });
  });

  describe('delivery key', () => {
    it('is X-GitHub-Delivery, which GitHub keeps when it redelivers', async () => {
      const { queued } = await ingest(delivery('workflow_run_completed_success.json'));

      expect(queued[0]!.deliveryKey).toBe(hashedKey('github', ['72d3162e-cc78-11e3-81ab-4c9367dc0958']));
    });
  });

  describe('settings', () => {
    it('are off by default', () => {
      expect(resolveSourceSettings({}).get('github')).toEqual({ workflowJob: false, checkRun: false, inProgress: false });
    });

    it('refuse a misspelt option at start-up', () => {
      expect(() => resolveSourceSettings({ github: { workflowjob: true } })).toThrow(ConfigError);
    });
  });
});

import { ingestWebhook } from '../../lambda/ingest/intake';
import { renderMessage } from '../../lambda/render/body-text';
import { hmacSha256Hex } from '../../lambda/security/hmac';
import { hashedKey } from '../../lambda/sources/delivery-key';
import { resolveSourceSettings } from '../../lambda/sources/settings';
import type { InboundRequest } from '../../lambda/sources/source';
import { fixtureBytes, fixtureJson, fixtureNames, fixtureSidecar, webhookRequest } from '../support/fixtures';
import { testIntake } from '../support/intake';

const FIXTURE = 'workflow_completed_success_zulip.json';
const { headers: HEADERS, secret } = fixtureSidecar('circleci', FIXTURE);
const SECRET = secret!;

function delivery(name = FIXTURE): InboundRequest {
  return webhookRequest('/hooks/circleci', fixtureBytes('circleci', name), fixtureSidecar('circleci', name).headers);
}

/** A variant of the fixture: its JSON changed by `change`, signed again with the sidecar's test secret. */
function variant(change: (event: any) => void, headers: Record<string, string> = {}): InboundRequest {
  const event = fixtureJson('circleci', FIXTURE);
  change(event);
  const body = Buffer.from(JSON.stringify(event));
  return webhookRequest('/hooks/circleci', body, {
    ...HEADERS,
    'Circleci-Signature': `v1=${hmacSha256Hex(SECRET, body)}`,
    ...headers,
  });
}

/** The fixture as a `job-completed` event: its type changed and the job CircleCI's reference describes added. */
const asJobCompleted = (status: string) => (event: any) => {
  event.type = 'job-completed';
  event.job = {
    id: '8b91f9a8-7975-4e60-916c-f0152ccbc937',
    name: 'test',
    number: 136,
    status,
    started_at: '2022-09-20T12:54:30.000Z',
    stopped_at: '2022-09-20T12:54:38.000Z',
  };
};

async function ingest(request: InboundRequest, settings = {}) {
  const intake = testIntake({ secret: SECRET, settings });
  const response = await ingestWebhook(request, intake.deps);
  const html = intake.queued.map((n) => renderMessage(n.message).join('')).join('\n');
  return { response, queued: intake.queued, html };
}

describe('circleci source', () => {
  describe('every fixture', () => {
    it.each(fixtureNames('circleci'))('%s is verified with its sidecar signature and queued as one message', async (name) => {
      const { response, queued } = await ingest(delivery(name));

      expect(response.statusCode).toBe(202);
      expect(queued).toHaveLength(1);
    });
  });

  describe('messages', () => {
    it('workflow-completed success: workflow, commit subject, repository, branch, commit, duration, links', async () => {
      // Act
      const { queued, html } = await ingest(delivery());

      // Assess
      expect(queued[0]!.message).toMatchObject({ source: 'circleci', status: 'success', title: 'sample' });
      expect(html).toContain('✔️ SUCCEEDED · sample');
      expect(html).toContain('<p>.circleci: Update Webhook URL.</p>');
      expect(html).toContain('<b>Repository</b>: zulip-testing/circleci-webhook-test');
      expect(html).toContain('<b>Branch</b>: main');
      expect(html).toContain('<b>Commit</b>: a5e30a9');
      expect(html).toContain('<b>Actor</b>: Hari Prashant Bhimaraju');
      expect(html).toContain('<b>Duration</b>: 12s');
      expect(html).toContain(
        '<a href="https://app.circleci.com/pipelines/github/zulip-testing/circleci-webhook-test/4/workflows/7381218b-d04c-4aa3-b8b8-8c00a9319d1f">Pipeline #4</a>',
      );
      expect(html).toContain(
        '<a href="https://github.com/zulip-testing/circleci-webhook-test/commit/a5e30a908224e46626a796d058289475f6d387b5">Commit</a>',
      );
    });

    it.each([
      ['failed', '❌ FAILED'],
      ['error', '❌ FAILED (error)'],
      ['canceled', '⚪ CANCELLED (canceled)'],
      ['unauthorized', '✋ ACTION REQUIRED (unauthorized)'],
    ])('workflow status %s (success fixture with only the status changed) reads %s', async (status, look) => {
      const { html } = await ingest(variant((event) => (event.workflow.status = status)));

      expect(html).toContain(`${look} · sample`);
      expect(html).not.toContain('<b>Status</b>');
    });

    it('a GitHub App or GitLab project (fixture with vcs replaced by trigger_parameters) finds the commit there', async () => {
      const { html } = await ingest(
        variant((event) => {
          delete event.pipeline.vcs;
          event.pipeline.trigger_parameters = {
            gitlab: {
              web_url: 'https://gitlab.com/circleci/hello-world',
              branch: 'main',
              commit_title: 'Update README.md',
              commit_sha: '850a1519f25d14e968649cc420d1bd381715c05c',
              user_username: 'username',
            },
            git: { branch: 'main', tag: '', checkout_sha: '850a1519f25d14e968649cc420d1bd381715c05c' },
          };
        }),
      );

      expect(html).toContain('<p>Update README.md</p>');
      expect(html).toContain('<b>Branch</b>: main');
      expect(html).toContain('<b>Commit</b>: 850a151');
      expect(html).toContain('<b>Actor</b>: username');
      expect(html).toContain('<a href="https://gitlab.com/circleci/hello-world/commit/850a1519f25d14e968649cc420d1bd381715c05c">Commit</a>');
    });

    it('job-completed (fixture turned into one) is off by default and, with jobCompleted, names workflow / job and links it', async () => {
      const quiet = await ingest(variant(asJobCompleted('failed')));
      const posted = await ingest(variant(asJobCompleted('failed')), { circleci: { jobCompleted: true } });

      expect(quiet.response).toMatchObject({ statusCode: 202, body: { queued: 0 } });
      expect(posted.html).toContain('❌ FAILED · sample / test');
      expect(posted.html).toContain('<b>Duration</b>: 8s');
      expect(posted.html).toContain(
        '<a href="https://app.circleci.com/pipelines/github/zulip-testing/circleci-webhook-test/4/workflows/7381218b-d04c-4aa3-b8b8-8c00a9319d1f/jobs/136">Job #136</a>',
      );
    });
  });

  describe('events it does not read', () => {
    it('the "Test Ping Event" (its minimal body, as CircleCI sends it) is acknowledged with 202 and nothing queued', async () => {
      // Prepare: the shape recorded in Zulip's CircleCI fixtures (ping.json); every other field is absent.
      const body = Buffer.from(
        JSON.stringify({
          happened_at: '2023-06-17T19:50:27.457981Z',
          id: 'd1264809-3541-48db-9d72-68f04f074877',
          type: 'ping',
          webhook: { id: '87f2e824-39f9-4fa8-985e-ce1a0571ad93', name: 'Testing' },
        }),
      );
      const request = webhookRequest('/hooks/circleci', body, {
        'Circleci-Event-Type': 'ping',
        'Circleci-Signature': `v1=${hmacSha256Hex(SECRET, body)}`,
      });

      const { response, queued } = await ingest(request);

      expect(response).toEqual({ statusCode: 202, body: { id: 'test-request', queued: 0, note: 'acknowledged: nothing to post' } });
      expect(queued).toEqual([]);
    });
  });

  describe('signature (circleci-signature)', () => {
    it('accepts the v1 signature among other versions', async () => {
      const request = delivery();
      const signature = `${request.headers['circleci-signature']},v2=not-checked`;

      const { response } = await ingest({ ...request, headers: { ...request.headers, 'circleci-signature': signature } });

      expect(response.statusCode).toBe(202);
    });

    it('refuses a signature made with another secret', async () => {
      const request = delivery();
      const intake = testIntake({ secret: 'another secret' });

      const response = await ingestWebhook(request, intake.deps);

      expect(response.statusCode).toBe(401);
      expect(intake.queued).toEqual([]);
    });

    it('refuses a request without the header', async () => {
      const request = delivery();
      const { 'circleci-signature': _dropped, ...headers } = request.headers;

      const { response } = await ingest({ ...request, headers });

      expect(response.statusCode).toBe(401);
      expect(response.body.message).toMatch(/missing circleci-signature/);
    });

    it('refuses a tampered body under the original signature', async () => {
      const request = delivery();
      const body = Buffer.from(request.body.toString('utf8').replace('"status": "success"', '"status": "failed"'));
      expect(body.equals(request.body)).toBe(false);

      const { response } = await ingest({ ...request, body });

      expect(response.statusCode).toBe(401);
    });

    it('refuses a header without v1 (no downgrade to another version)', async () => {
      const request = delivery();
      const v2Only = request.headers['circleci-signature']!.replace('v1=', 'v2=');

      const { response } = await ingest({ ...request, headers: { ...request.headers, 'circleci-signature': v2Only } });

      expect(response.statusCode).toBe(401);
      expect(response.body.message).toMatch(/no v1/);
    });
  });

  describe('rejection', () => {
    it('a workflow-completed without workflow.url is a 400 naming the field', async () => {
      const { response, queued } = await ingest(variant((event) => delete event.workflow.url));

      expect(response.statusCode).toBe(400);
      expect(response.body.field).toBe('workflow.url');
      expect(queued).toEqual([]);
    });
  });

  describe('delivery key', () => {
    it('is the event id, which CircleCI documents for telling repeated deliveries', async () => {
      const { queued } = await ingest(delivery());

      expect(queued[0]!.deliveryKey).toBe(hashedKey('circleci', ['630a6132-5bf1-3600-b26d-a020d41358f9']));
    });
  });

  describe('settings', () => {
    it('are off by default', () => {
      expect(resolveSourceSettings({}).get('circleci')).toEqual({ jobCompleted: false });
    });
  });
});

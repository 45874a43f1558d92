import { ingestWebhook } from '../../lambda/ingest/intake';
import { renderMessage } from '../../lambda/render/body-text';
import { resolveSourceSettings } from '../../lambda/sources/settings';
import type { InboundRequest } from '../../lambda/sources/source';
import { fixtureBytes, fixtureJson, fixtureNames, webhookRequest } from '../support/fixtures';
import { testIntake } from '../support/intake';

const SECRET = 'jenkins-test-secret';
const FIXTURE = 'notification_plugin_completed_success_wiki.json';
/** What the Notification plugin sends for an endpoint URL `https://jenkins:<secret>@…`. */
const BASIC = { Authorization: `Basic ${Buffer.from(`jenkins:${SECRET}`).toString('base64')}` };

/** The wiki fixture with `change` applied, as the plugin posts it (its content type carries a charset). */
function variant(change: (job: any) => void, headers: Record<string, string> = BASIC): InboundRequest {
  const job = fixtureJson('jenkins', FIXTURE);
  change(job);
  return webhookRequest('/hooks/jenkins', JSON.stringify(job), { 'Content-Type': 'application/json;charset=UTF-8', ...headers });
}

const finalized = (status: string) => (job: any) => {
  job.build.phase = 'FINALIZED';
  job.build.status = status;
};

async function ingest(request: InboundRequest, settings = {}) {
  const intake = testIntake({ secret: SECRET, settings });
  const response = await ingestWebhook(request, intake.deps);
  const html = intake.queued.map((n) => renderMessage(n.message).join('')).join('\n');
  return { response, queued: intake.queued, html };
}

describe('jenkins source', () => {
  describe('every fixture', () => {
    it.each(fixtureNames('jenkins'))('%s (phase COMPLETED) is accepted and not posted: FINALIZED is the posted phase', async (name) => {
      const request = webhookRequest('/hooks/jenkins', fixtureBytes('jenkins', name), BASIC);

      const { response, queued } = await ingest(request);

      expect(response).toMatchObject({ statusCode: 202, body: { queued: 0 } });
      expect(queued).toEqual([]);
    });
  });

  describe('messages', () => {
    it('FINALIZED SUCCESS (wiki fixture with phase FINALIZED): job, repository, branch, commit, build and commit links', async () => {
      // Act
      const { queued, html } = await ingest(variant((job) => (job.build.phase = 'FINALIZED')));

      // Assess
      expect(queued[0]!.message).toMatchObject({ source: 'jenkins', status: 'success', title: 'asgard' });
      expect(html).toContain('✔️ SUCCEEDED · asgard');
      expect(html).toContain('<b>Repository</b>: github.com/evgeny-goldin/asgard');
      expect(html).toContain('<b>Branch</b>: master');
      expect(html).toContain('<b>Commit</b>: c6d86dc');
      expect(html).toContain('<a href="http://localhost:8080/job/asgard/18/">Build #18</a>');
      expect(html).toContain(
        '<a href="https://github.com/evgeny-goldin/asgard/commit/c6d86dc654b12425e706bcf951adfe5a8627a517">Commit</a>',
      );
      expect(html).not.toContain('Console');
    });

    it('FINALIZED FAILURE (wiki fixture with phase FINALIZED and status FAILURE) reads FAILED and links the console', async () => {
      const { html } = await ingest(variant(finalized('FAILURE')));

      expect(html).toContain('❌ FAILED · asgard');
      expect(html).toContain('<a href="http://localhost:8080/job/asgard/18/console">Console</a>');
      expect(html).not.toContain('<b>Result</b>');
    });

    it.each([
      ['UNSTABLE', '❌ FAILED'],
      ['ABORTED', '⚪ CANCELLED'],
      ['NOT_BUILT', '⏭️ SKIPPED'],
    ])('FINALIZED %s (wiki fixture, phase and status changed) reads %s with Jenkins\' word next to it', async (status, look) => {
      const { html } = await ingest(variant(finalized(status)));

      expect(html).toContain(`${look} (${status}) · asgard`);
      expect(html).not.toContain('<b>Result</b>');
    });

    it('a job in folders (wiki fixture with a folder url) is titled with its full name', async () => {
      const { html } = await ingest(
        variant((job) => {
          finalized('SUCCESS')(job);
          job.url = 'job/team/job/my%20app/';
        }),
      );

      expect(html).toContain('SUCCEEDED · team/my app');
    });

    it('test results (wiki fixture with a test summary) are counted and the failed tests named', async () => {
      const { html } = await ingest(
        variant((job) => {
          finalized('UNSTABLE')(job);
          job.build.duration = 125_000;
          job.build.test_summary = {
            total: 10,
            failed: 7,
            skipped: 1,
            passed: 2,
            failed_tests: ['a', 'b', 'c', 'd', 'e', 'f', 'g'],
          };
        }),
      );

      expect(html).toContain('<b>Duration</b>: 2m 05s');
      expect(html).toContain('<b>Tests</b>: 7 failed, 2 passed, 1 skipped');
      expect(html).toContain('<b>Failed tests</b>: a, b, c, d, e and 2 more');
    });

    it('STARTED is ignored by default and posted as STARTED with inProgress; QUEUED never', async () => {
      const started = (): InboundRequest =>
        variant((job) => {
          job.build.phase = 'STARTED';
          delete job.build.status;
        });

      const quiet = await ingest(started());
      const posted = await ingest(started(), { jenkins: { inProgress: true } });
      const queued = await ingest(variant((job) => (job.build.phase = 'QUEUED')), { jenkins: { inProgress: true } });

      expect(quiet.response.body).toMatchObject({ queued: 0 });
      expect(posted.html).toContain('▶️ STARTED · asgard');
      expect(queued.response.body).toMatchObject({ queued: 0 });
    });
  });

  describe('shared secret', () => {
    it('accepts Basic auth, as the plugin sends the user info of its endpoint URL', async () => {
      const { response } = await ingest(variant(finalized('SUCCESS')));

      expect(response.statusCode).toBe(202);
    });

    it('accepts a Bearer token', async () => {
      const { response } = await ingest(variant(finalized('SUCCESS'), { Authorization: `Bearer ${SECRET}` }));

      expect(response.statusCode).toBe(202);
    });

    it('refuses another secret', async () => {
      const wrong = { Authorization: `Basic ${Buffer.from('jenkins:guess').toString('base64')}` };

      const { response, queued } = await ingest(variant(finalized('SUCCESS'), wrong));

      expect(response.statusCode).toBe(401);
      expect(queued).toEqual([]);
    });

    it('refuses a request without credentials', async () => {
      const { response } = await ingest(variant(finalized('SUCCESS'), {}));

      expect(response.statusCode).toBe(401);
    });
  });

  describe('rejection', () => {
    it('a build without a number is a 400 naming the field', async () => {
      const { response, queued } = await ingest(variant((job) => delete job.build.number));

      expect(response.statusCode).toBe(400);
      expect(response.body.field).toBe('build.number');
      expect(queued).toEqual([]);
    });
  });

  describe('delivery key', () => {
    const keyOf = async (change: (job: any) => void): Promise<string> => {
      const { queued } = await ingest(
        variant((job) => {
          finalized('SUCCESS')(job);
          change(job);
        }),
        { jenkins: { inProgress: true } },
      );
      return queued[0]!.deliveryKey;
    };

    it('is the same for a repeat of the same build and phase, and differs by build, phase and server', async () => {
      const original = await keyOf(() => undefined);

      expect(await keyOf(() => undefined)).toBe(original);
      expect(await keyOf((job) => (job.build.number = 19))).not.toBe(original);
      expect(await keyOf((job) => (job.build.phase = 'STARTED'))).not.toBe(original);
      expect(await keyOf((job) => (job.build.full_url = 'https://ci.example.com/job/asgard/18/'))).not.toBe(original);
    });
  });

  describe('settings', () => {
    it('are off by default', () => {
      expect(resolveSourceSettings({}).get('jenkins')).toEqual({ inProgress: false });
    });
  });
});

/**
 * Jenkins with the Notification plugin (protocol HTTP, format JSON), which posts once per build phase: QUEUED,
 * STARTED, COMPLETED, FINALIZED. The plugin cannot sign; the secret travels as Basic auth in the endpoint URL
 * (`https://jenkins:<secret>@…`), which the plugin turns into an `Authorization` header.
 */
import * as v from 'valibot';
import { formatDuration } from '../render/format';
import { linkIf, type ChatMessage, type Field, type Link, type Status } from '../model/message';
import { buildResultMessage, commitLink } from './build-result';
import { hashedKey } from './delivery-key';
import { senderStatusOf } from './sender-status';
import { verifySharedSecret } from './shared-secret';
import { defineSource } from './source';
import { ownEntry } from '../runtime/own-entry';

/** The Notification plugin's JSON (`JobState`, field names in snake case): the job and one phase of one build. */
export const JenkinsSchema = v.object({
  name: v.string(),
  display_name: v.nullish(v.string()),
  /** The job's path under the Jenkins root, e.g. `job/team/job/app/`. */
  url: v.nullish(v.string()),
  build: v.object({
    number: v.number(),
    phase: v.string(),
    // Absent until the build has a result.
    status: v.nullish(v.string()),
    // Absent when Jenkins has no root URL configured.
    full_url: v.nullish(v.string()),
    /** Milliseconds. */
    duration: v.nullish(v.number()),
    /** The job's "build notes", when the endpoint sets some. */
    notes: v.nullish(v.string()),
    scm: v.nullish(
      v.object({
        url: v.nullish(v.string()),
        branch: v.nullish(v.string()),
        commit: v.nullish(v.string()),
        culprits: v.nullish(v.array(v.string())),
      }),
    ),
    test_summary: v.nullish(
      v.object({
        total: v.number(),
        failed: v.number(),
        skipped: v.number(),
        failed_tests: v.nullish(v.array(v.string())),
      }),
    ),
  }),
});
export type Jenkins = v.InferOutput<typeof JenkinsSchema>;

/** How `POST /hooks` tells a Notification plugin payload: a job name and a build with its number and phase. */
const JenkinsShape = v.object({ name: v.string(), build: v.object({ number: v.number(), phase: v.string() }) });

/** What a team may turn on (`SOURCE_SETTINGS.jenkins`). */
export const JenkinsSettingsSchema = v.strictObject({
  /** Also post when a build starts (the STARTED phase; QUEUED is never posted: STARTED follows it at once). */
  inProgress: v.optional(v.boolean(), false),
});
export type JenkinsSettings = v.InferOutput<typeof JenkinsSettingsSchema>;

/**
 * The phase whose notification is posted. Both COMPLETED and FINALIZED carry the result of the same build, so one is
 * ignored; FINALIZED is kept because it is the last word (the build record is saved, the log closed) and because the
 * plugin's own "failed" and "failedAndFirstSuccess" event filters fire only in it, so every filter a team may pick but
 * "completed" reaches the relay.
 */
const RESULT_PHASE = 'FINALIZED';

/** Jenkins results in the relay's words; Jenkins' own word is shown with those it does not say (`UNSTABLE`). */
const RESULTS: Readonly<Record<string, Status>> = {
  SUCCESS: 'success',
  FAILURE: 'failure',
  // Tests failed but the build ran: as much a reason to look as a failure.
  UNSTABLE: 'failure',
  ABORTED: 'cancelled',
  NOT_BUILT: 'skipped',
};

/** At most this many failed test names are listed; the rest are counted. */
const MAX_FAILED_TESTS = 5;

/** `job/team/job/app/` → `team/app`: the full name, which tells apart jobs of the same name in different folders. */
function fullName(job: Jenkins): string {
  const segments = (job.url ?? '').split('/').filter(Boolean);
  const names = segments.filter((_, index) => segments[index - 1] === 'job').map((name) => decodeURIComponent(name));
  return names.length > 0 ? names.join('/') : job.name;
}

/** A repository's web address from its clone URL (`git@host:org/repo.git` or `https://host/org/repo.git`). */
function repositoryWebUrl(cloneUrl: string | null | undefined): string | undefined {
  if (!cloneUrl) return undefined;
  const scp = /^[\w.-]+@([^:/]+):(.+)$/.exec(cloneUrl);
  const url = scp ? `https://${scp[1]}/${scp[2]}` : cloneUrl;
  return /^https?:\/\//.test(url) ? url.replace(/\/+$/, '').replace(/\.git$/, '') : undefined;
}

function testFields(summary: NonNullable<Jenkins['build']['test_summary']>): Field[] {
  const passed = summary.total - summary.failed - summary.skipped;
  const fields = [{ name: 'Tests', value: `${summary.failed} failed, ${passed} passed, ${summary.skipped} skipped` }];
  const failed = summary.failed_tests ?? [];
  if (failed.length > 0) {
    const more = failed.length > MAX_FAILED_TESTS ? ` and ${failed.length - MAX_FAILED_TESTS} more` : '';
    fields.push({ name: 'Failed tests', value: `${failed.slice(0, MAX_FAILED_TESTS).join(', ')}${more}` });
  }
  return fields;
}

function statusOf(job: Jenkins, settings: JenkinsSettings): { status: Status; senderStatus?: string } | undefined {
  const { phase, status } = job.build;
  if (phase === 'STARTED') return settings.inProgress ? { status: 'started' } : undefined;
  if (phase !== RESULT_PHASE) return undefined;
  // A result this source does not know is still posted, without a verdict, with Jenkins' word.
  const result = ownEntry(RESULTS, status ?? '') ?? 'neutral';
  return { status: result, senderStatus: senderStatusOf(status, result) };
}

function messages(job: Jenkins, settings: JenkinsSettings): ChatMessage[] {
  const outcome = statusOf(job, settings);
  if (!outcome) return [];
  const { build } = job;
  const scm = build.scm;
  const repository = repositoryWebUrl(scm?.url);
  const failed = outcome.status === 'failure';
  const buildUrl = build.full_url ?? undefined;
  const links: Link[] = [
    ...linkIf(`Build #${build.number}`, buildUrl),
    // The log is where a failure is read.
    ...(failed && buildUrl ? linkIf('Console', `${buildUrl.replace(/\/+$/, '')}/console`) : []),
    ...commitLink(repository, scm?.commit, repository?.includes('bitbucket') ? 'commits' : 'commit'),
  ];
  const culprits = scm?.culprits ?? [];
  return [
    buildResultMessage({
      source: 'jenkins',
      status: outcome.status,
      senderStatus: outcome.senderStatus,
      title: fullName(job),
      project: fullName(job),
      summary: build.notes || undefined,
      repository: repository?.replace(/^https?:\/\//, ''),
      // Jenkins names the branch as the remote tracking branch (`origin/main`).
      ref: scm?.branch?.replace(/^(refs\/remotes\/)?origin\//, ''),
      commit: scm?.commit ?? undefined,
      duration: build.duration ? formatDuration(build.duration) : undefined,
      fields: [
        ...(build.test_summary && outcome.status !== 'started' ? testFields(build.test_summary) : []),
        ...(culprits.length > 0 ? [{ name: 'Culprits', value: culprits.join(', ') }] : []),
      ],
      links,
    }),
  ];
}

/** Jenkins at `/hooks/jenkins`: one message per finished build. */
export const jenkins = defineSource<Jenkins, JenkinsSettings>({
  name: 'jenkins',
  schema: JenkinsSchema,
  settings: JenkinsSettingsSchema,
  webhook: {
    contentTypes: ['application/json'],
    verifyHeaders: verifySharedSecret,
    detect: (_request, body) => v.is(JenkinsShape, body),
  },
  // One notification per build and phase; the build's address (when Jenkins knows its root URL) keeps builds of two
  // Jenkins servers apart.
  deliveryKey: (job) =>
    hashedKey('jenkins', [job.build.full_url ?? '', fullName(job), String(job.build.number), job.build.phase]),
  toMessages: messages,
});

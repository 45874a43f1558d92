/**
 * GitLab project and group webhooks: pipeline results (`Pipeline Hook`), optionally single jobs (`Job Hook`). The
 * `X-Gitlab-Event` header names the event; every other event (push, merge request, …) is acknowledged without a message.
 */
import * as v from 'valibot';
import { SecretMismatchError, UnauthorizedError } from '../runtime/errors';
import { formatDuration } from '../render/format';
import { linkIf, type ChatMessage, type Item, type Status } from '../model/message';
import { secretsEqual } from '../security/constant-time';
import { buildResultMessage, commitTitle } from './build-result';
import { hashedKey, stableJson } from './delivery-key';
import { senderStatusOf } from './sender-status';
import { decodeNamedEvent, otherEvent } from './event-types';
import { defineSource, type RequestHeaders } from './source';
import { ownEntry } from '../runtime/own-entry';

const UserSchema = v.object({ name: v.optional(v.string()), username: v.optional(v.string()) });
const ProjectSchema = v.object({ name: v.optional(v.string()), path_with_namespace: v.string(), web_url: v.string() });

const PipelineJobSchema = v.object({
  id: v.number(),
  stage: v.string(),
  name: v.string(),
  status: v.string(),
  failure_reason: v.nullish(v.string()),
  allow_failure: v.nullish(v.boolean()),
});
type PipelineJob = v.InferOutput<typeof PipelineJobSchema>;

/** `Pipeline Hook`: a pipeline's status changed. */
export const PipelineHookSchema = v.object({
  object_attributes: v.object({
    id: v.number(),
    // Set by `workflow:name` (GitLab 15.8+); null otherwise.
    name: v.nullish(v.string()),
    ref: v.string(),
    tag: v.optional(v.boolean()),
    sha: v.string(),
    status: v.string(),
    source: v.optional(v.string()),
    stages: v.optional(v.array(v.string()), []),
    created_at: v.nullish(v.string()),
    finished_at: v.nullish(v.string()),
    /** Seconds. */
    duration: v.nullish(v.number()),
    // Older GitLab sends no `url`; the pipeline's address is built from the project's then.
    url: v.optional(v.string()),
  }),
  project: ProjectSchema,
  user: v.nullish(UserSchema),
  commit: v.nullish(v.object({ title: v.optional(v.string()), message: v.optional(v.string()), url: v.optional(v.string()) })),
  merge_request: v.nullish(v.object({ iid: v.number(), url: v.string() })),
  /** The upstream pipeline, when a trigger job of another pipeline started this one. */
  source_pipeline: v.nullish(v.object({ project: v.object({ web_url: v.string() }), pipeline_id: v.number() })),
  builds: v.optional(v.array(PipelineJobSchema), []),
});
export type PipelineHook = v.InferOutput<typeof PipelineHookSchema>;

/** `Job Hook`: a job's status changed. */
export const JobHookSchema = v.object({
  build_id: v.number(),
  build_name: v.string(),
  build_stage: v.string(),
  build_status: v.string(),
  /** Seconds. */
  build_duration: v.nullish(v.number()),
  build_allow_failure: v.nullish(v.boolean()),
  build_failure_reason: v.nullish(v.string()),
  pipeline_id: v.number(),
  ref: v.string(),
  tag: v.optional(v.boolean()),
  sha: v.string(),
  project_name: v.optional(v.string()),
  // Older GitLab sends only `repository` (whose `homepage` is the project's address); `project` came later.
  project: v.optional(ProjectSchema),
  repository: v.optional(v.object({ homepage: v.optional(v.string()) })),
  user: v.nullish(UserSchema),
  commit: v.nullish(v.object({ message: v.optional(v.string()) })),
});
export type JobHook = v.InferOutput<typeof JobHookSchema>;

/** `{ event: <X-Gitlab-Event>, body }`: the header picks the body's schema. */
export const GitLabSchema = v.variant('event', [
  v.object({ event: v.literal('Pipeline Hook'), body: PipelineHookSchema }),
  v.object({ event: v.literal('Job Hook'), body: JobHookSchema }),
  otherEvent('event', ['Pipeline Hook', 'Job Hook']),
]);
export type GitLab = v.InferOutput<typeof GitLabSchema>;

/** What a team may turn on (`SOURCE_SETTINGS.gitlab`). */
export const GitLabSettingsSchema = v.strictObject({
  /** Post each job that ends (`Job Hook`), not only pipelines. */
  jobEvents: v.optional(v.boolean(), false),
  /** Also post when a pipeline (or, with `jobEvents`, a job) starts running. */
  inProgress: v.optional(v.boolean(), false),
});
export type GitLabSettings = v.InferOutput<typeof GitLabSettingsSchema>;

/** The pipeline statuses that end a pipeline or wait for a person; `created`, `pending` and the like are not posted. */
const PIPELINE_STATUSES: Readonly<Record<string, Status>> = {
  success: 'success',
  failed: 'failure',
  canceled: 'cancelled',
  skipped: 'skipped',
  // Stopped at a manual job that someone has to play.
  manual: 'action_required',
};
/** The same for jobs, less `skipped`: when a pipeline fails, every later job is skipped, and each would be a message. */
const JOB_STATUSES: Readonly<Record<string, Status>> = {
  success: 'success',
  failed: 'failure',
  canceled: 'cancelled',
  manual: 'action_required',
};

/** The status to post, with GitLab's word where it says more (`canceled`, `manual`); none for a status not posted. */
function statusOf(
  word: string,
  statuses: Readonly<Record<string, Status>>,
  settings: GitLabSettings,
): { status: Status; senderStatus?: string } | undefined {
  const status = word === 'running' ? (settings.inProgress ? 'started' : undefined) : ownEntry(statuses, word);
  return status && { status, senderStatus: senderStatusOf(word, status) };
}

/** `script_failure` → `script failure`. */
function reasonText(reason: string, allowedToFail: boolean | null | undefined): string {
  return `${reason.replace(/_/g, ' ')}${allowedToFail ? ' (allowed to fail)' : ''}`;
}

/** The failed jobs, in stage order: the first is usually the cause, the later ones its consequences. */
function failedJobs(jobs: readonly PipelineJob[], stages: readonly string[], projectUrl: string): Item[] {
  const stageIndex = (job: PipelineJob): number => {
    const index = stages.indexOf(job.stage);
    return index === -1 ? stages.length : index;
  };
  return jobs
    .filter((job) => job.status === 'failed')
    .sort((a, b) => stageIndex(a) - stageIndex(b) || a.id - b.id)
    .map((job) => ({
      status: 'failure' as const,
      title: job.name,
      summary: job.failure_reason ? reasonText(job.failure_reason, job.allow_failure) : undefined,
      fields: [{ name: 'Stage', value: job.stage }],
      links: linkIf('Job', `${projectUrl}/-/jobs/${job.id}`),
    }));
}

const seconds = (value: number | null | undefined): string | undefined =>
  value === null || value === undefined ? undefined : formatDuration(value * 1000);

function pipelineMessages(hook: PipelineHook, settings: GitLabSettings): ChatMessage[] {
  const pipeline = hook.object_attributes;
  const outcome = statusOf(pipeline.status, PIPELINE_STATUSES, settings);
  if (!outcome) return [];
  const { status, senderStatus } = outcome;
  const projectUrl = hook.project.web_url.replace(/\/+$/, '');
  const upstream = hook.source_pipeline;
  return [
    buildResultMessage({
      source: 'gitlab',
      status,
      senderStatus,
      title: pipeline.name || `${hook.project.name ?? hook.project.path_with_namespace} pipeline`,
      summary: hook.commit?.title ?? commitTitle(hook.commit?.message),
      repository: hook.project.path_with_namespace,
      ref: pipeline.ref,
      tag: pipeline.tag,
      commit: pipeline.sha,
      actor: hook.user?.username ?? hook.user?.name,
      duration: status === 'started' ? undefined : seconds(pipeline.duration),
      fields: pipeline.source ? [{ name: 'Trigger', value: pipeline.source }] : [],
      links: [
        ...linkIf(`Pipeline #${pipeline.id}`, pipeline.url ?? `${projectUrl}/-/pipelines/${pipeline.id}`),
        ...linkIf('Commit', hook.commit?.url),
        ...(hook.merge_request ? linkIf(`MR !${hook.merge_request.iid}`, hook.merge_request.url) : []),
        ...(upstream
          ? linkIf('Upstream pipeline', `${upstream.project.web_url.replace(/\/+$/, '')}/-/pipelines/${upstream.pipeline_id}`)
          : []),
      ],
      items: failedJobs(hook.builds, pipeline.stages, projectUrl),
    }),
  ];
}

function jobMessages(hook: JobHook, settings: GitLabSettings): ChatMessage[] {
  const outcome = statusOf(hook.build_status, JOB_STATUSES, settings);
  if (!outcome) return [];
  const { status, senderStatus } = outcome;
  const projectUrl = (hook.project?.web_url ?? hook.repository?.homepage)?.replace(/\/+$/, '');
  const reason =
    status === 'failure' && hook.build_failure_reason
      ? [{ name: 'Reason', value: reasonText(hook.build_failure_reason, hook.build_allow_failure) }]
      : [];
  return [
    buildResultMessage({
      source: 'gitlab',
      status,
      senderStatus,
      title: hook.build_name,
      summary: commitTitle(hook.commit?.message),
      repository: hook.project?.path_with_namespace ?? hook.project_name,
      ref: hook.ref,
      tag: hook.tag,
      commit: hook.sha,
      actor: hook.user?.username ?? hook.user?.name,
      duration: status === 'started' ? undefined : seconds(hook.build_duration),
      fields: [{ name: 'Stage', value: hook.build_stage }, ...reason],
      links: projectUrl
        ? [
            ...linkIf('Job', `${projectUrl}/-/jobs/${hook.build_id}`),
            ...linkIf(`Pipeline #${hook.pipeline_id}`, `${projectUrl}/-/pipelines/${hook.pipeline_id}`),
            ...linkIf('Commit', `${projectUrl}/-/commit/${hook.sha}`),
          ]
        : [],
    }),
  ];
}

/** GitLab sends the webhook's "Secret token" as it is, in `X-Gitlab-Token`: the headers alone prove it. */
function verifyHeaders(headers: RequestHeaders, secret: string): void {
  const token = headers['x-gitlab-token'];
  if (!token) throw new UnauthorizedError('missing X-Gitlab-Token header: set the webhook "Secret token" in GitLab to the relay webhook secret');
  if (!secretsEqual(token, secret)) throw new SecretMismatchError('X-Gitlab-Token does not match the webhook secret');
}

/** GitLab at `/hooks/gitlab`: pipeline results, and job results when turned on. */
export const gitlab = defineSource<GitLab, GitLabSettings>({
  name: 'gitlab',
  schema: GitLabSchema,
  settings: GitLabSettingsSchema,
  webhook: {
    contentTypes: ['application/json'],
    verifyHeaders,
    decode: decodeNamedEvent('x-gitlab-event'),
    detect: (request) => 'x-gitlab-event' in request.headers,
  },
  // Idempotency-Key (GitLab 17.4+) is the header documented to stay the same when a delivery is retried;
  // X-Gitlab-Event-UUID stands in on older GitLab, and the body keeps two different events apart even if a header is
  // shared (recursive webhooks share their Event-UUID).
  deliveryKey: (input, request) =>
    hashedKey('gitlab', [request?.headers['idempotency-key'] ?? request?.headers['x-gitlab-event-uuid'] ?? '', stableJson(input)]),
  toMessages: (input, settings) => {
    switch (input.event) {
      case 'Pipeline Hook':
        return pipelineMessages(input.body, settings);
      case 'Job Hook':
        return settings.jobEvents ? jobMessages(input.body, settings) : [];
      case 'other':
        return [];
    }
  },
});

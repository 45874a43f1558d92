/**
 * CircleCI project webhooks (outbound webhooks): `workflow-completed`, optionally `job-completed`. Any other event
 * type (the "Test Ping Event", types CircleCI adds later) is acknowledged without a message.
 */
import * as v from 'valibot';
import { SecretMismatchError, UnauthorizedError } from '../runtime/errors';
import { durationBetween } from '../render/format';
import { linkIf, type ChatMessage, type Status } from '../model/message';
import { signatureMatches } from '../security/hmac';
import { buildResultMessage, commitLink } from './build-result';
import { hashedKey } from './delivery-key';
import { senderStatusOf } from './sender-status';
import { otherEvent } from './event-types';
import { defineSource, type InboundRequest } from './source';
import { ownEntry } from '../runtime/own-entry';

const PipelineSchema = v.object({
  number: v.number(),
  /** Sent for GitHub OAuth and Bitbucket Cloud projects. */
  vcs: v.nullish(
    v.object({
      provider_name: v.nullish(v.string()),
      target_repository_url: v.nullish(v.string()),
      revision: v.nullish(v.string()),
      branch: v.nullish(v.string()),
      tag: v.nullish(v.string()),
      commit: v.nullish(
        v.object({ subject: v.nullish(v.string()), author: v.nullish(v.object({ name: v.nullish(v.string()) })) }),
      ),
    }),
  ),
  /** Sent instead of `vcs` for GitLab, GitHub App and Bitbucket Data Center projects. */
  trigger_parameters: v.nullish(
    v.object({
      gitlab: v.nullish(
        v.object({
          web_url: v.nullish(v.string()),
          branch: v.nullish(v.string()),
          commit_sha: v.nullish(v.string()),
          commit_title: v.nullish(v.string()),
          commit_author_name: v.nullish(v.string()),
          user_username: v.nullish(v.string()),
        }),
      ),
      git: v.nullish(
        v.object({ branch: v.nullish(v.string()), tag: v.nullish(v.string()), checkout_sha: v.nullish(v.string()) }),
      ),
    }),
  ),
});
type Pipeline = v.InferOutput<typeof PipelineSchema>;

/** What both events carry. */
const EventEntries = {
  /** Unique per event; CircleCI's documented key for telling a repeated delivery. */
  id: v.string(),
  project: v.object({ name: v.string() }),
  organization: v.object({ name: v.string() }),
  pipeline: PipelineSchema,
};
const WorkflowEntries = {
  name: v.string(),
  url: v.string(),
  created_at: v.nullish(v.string()),
  stopped_at: v.nullish(v.string()),
};

/** `workflow-completed`: a workflow reached a terminal status. */
export const WorkflowCompletedSchema = v.object({
  ...EventEntries,
  type: v.literal('workflow-completed'),
  workflow: v.object({ ...WorkflowEntries, status: v.string() }),
});
export type WorkflowCompleted = v.InferOutput<typeof WorkflowCompletedSchema>;

/** `job-completed`: a job reached a terminal status. */
export const JobCompletedSchema = v.object({
  ...EventEntries,
  type: v.literal('job-completed'),
  workflow: v.object(WorkflowEntries),
  job: v.object({
    name: v.string(),
    number: v.number(),
    status: v.string(),
    started_at: v.nullish(v.string()),
    stopped_at: v.nullish(v.string()),
  }),
});
export type JobCompleted = v.InferOutput<typeof JobCompletedSchema>;

/** Any CircleCI event: the two it reads by their `type`, every other type acknowledged. */
export const CircleCiSchema = v.variant('type', [
  WorkflowCompletedSchema,
  JobCompletedSchema,
  otherEvent('type', ['workflow-completed', 'job-completed']),
]);
export type CircleCi = v.InferOutput<typeof CircleCiSchema>;

/** What a team may turn on (`SOURCE_SETTINGS.circleci`). */
export const CircleCiSettingsSchema = v.strictObject({
  /** Post each job that ends (`job-completed`), not only workflows. */
  jobCompleted: v.optional(v.boolean(), false),
});
export type CircleCiSettings = v.InferOutput<typeof CircleCiSettingsSchema>;

/** CircleCI's terminal statuses in the relay's words; CircleCI's own word is shown with those it does not say. */
const STATUSES: Readonly<Record<string, Status>> = {
  success: 'success',
  failed: 'failure',
  // The configuration or the infrastructure failed rather than a job's own steps.
  error: 'failure',
  infrastructure_fail: 'failure',
  canceled: 'cancelled',
  // Stopped by a restricted context: someone allowed to use it has to rerun it.
  unauthorized: 'action_required',
};

/** The status, with CircleCI's word where it says more; a status this source does not know has no verdict. */
function statusOf(word: string): { status: Status; senderStatus?: string } {
  const status = ownEntry(STATUSES, word) ?? 'neutral';
  return { status, senderStatus: senderStatusOf(word, status) };
}

/** The commit facts, wherever this project's kind of integration puts them. */
function commitOf(pipeline: Pipeline) {
  const { vcs } = pipeline;
  const gitlab = pipeline.trigger_parameters?.gitlab;
  const git = pipeline.trigger_parameters?.git;
  const tag = vcs?.tag || git?.tag || undefined;
  const repository = vcs?.target_repository_url ?? gitlab?.web_url ?? undefined;
  const sha = vcs?.revision ?? gitlab?.commit_sha ?? git?.checkout_sha ?? undefined;
  return {
    ref: tag ?? vcs?.branch ?? git?.branch ?? gitlab?.branch ?? undefined,
    tag: !!tag,
    sha,
    title: vcs?.commit?.subject ?? gitlab?.commit_title ?? undefined,
    actor: gitlab?.user_username ?? vcs?.commit?.author?.name ?? gitlab?.commit_author_name ?? undefined,
    links: commitLink(repository, sha, vcs?.provider_name?.toLowerCase() === 'bitbucket' ? 'commits' : 'commit'),
  };
}

function workflowMessage(event: WorkflowCompleted): ChatMessage {
  const { workflow, pipeline } = event;
  const commit = commitOf(pipeline);
  const { status, senderStatus } = statusOf(workflow.status);
  return buildResultMessage({
    source: 'circleci',
    status,
    senderStatus,
    title: workflow.name,
    summary: commit.title,
    repository: `${event.organization.name}/${event.project.name}`,
    ref: commit.ref,
    tag: commit.tag,
    commit: commit.sha,
    actor: commit.actor,
    duration: durationBetween(workflow.created_at ?? undefined, workflow.stopped_at ?? undefined),
    links: [...linkIf(`Pipeline #${pipeline.number}`, workflow.url), ...commit.links],
  });
}

function jobMessage(event: JobCompleted): ChatMessage {
  const { workflow, pipeline, job } = event;
  const commit = commitOf(pipeline);
  const { status, senderStatus } = statusOf(job.status);
  return buildResultMessage({
    source: 'circleci',
    status,
    senderStatus,
    title: `${workflow.name} / ${job.name}`,
    summary: commit.title,
    repository: `${event.organization.name}/${event.project.name}`,
    ref: commit.ref,
    tag: commit.tag,
    commit: commit.sha,
    actor: commit.actor,
    duration: durationBetween(job.started_at ?? undefined, job.stopped_at ?? undefined),
    links: [
      ...linkIf(`Job #${job.number}`, `${workflow.url.replace(/\/+$/, '')}/jobs/${job.number}`),
      ...linkIf(`Pipeline #${pipeline.number}`, workflow.url),
      ...commit.links,
    ],
  });
}

/**
 * `circleci-signature: v1=<hex>[,v2=…]`, versioned HMAC-SHA256 signatures of the raw body under the webhook's secret
 * token. Only `v1` is checked, as CircleCI advises: accepting whichever version is present would allow a downgrade.
 */
function verify(request: InboundRequest, secret: string): void {
  const header = request.headers['circleci-signature'];
  if (!header) {
    throw new UnauthorizedError('missing circleci-signature header: set the webhook "Secret token" in CircleCI to the relay webhook secret');
  }
  const v1 = header
    .split(',')
    .map((part) => part.trim().split('=', 2))
    .filter(([version, signature]) => version === 'v1' && signature)
    .map(([, signature]) => signature!);
  if (v1.length === 0) throw new UnauthorizedError('circleci-signature has no v1 signature');
  if (!signatureMatches(request.body, secret, v1)) {
    throw new SecretMismatchError('circleci-signature does not match the body: check the webhook secret token');
  }
}

/** CircleCI at `/hooks/circleci`: one message per finished workflow. */
export const circleci = defineSource<CircleCi, CircleCiSettings>({
  name: 'circleci',
  schema: CircleCiSchema,
  settings: CircleCiSettingsSchema,
  webhook: {
    contentTypes: ['application/json'],
    verify,
    detect: (request) => 'circleci-event-type' in request.headers || 'circleci-signature' in request.headers,
  },
  deliveryKey: (event) => hashedKey('circleci', [event.type === 'other' ? 'other' : event.id]),
  toMessages: (event, settings) => {
    switch (event.type) {
      case 'workflow-completed':
        return [workflowMessage(event)];
      case 'job-completed':
        return settings.jobCompleted ? [jobMessage(event)] : [];
      case 'other':
        return [];
    }
  },
});

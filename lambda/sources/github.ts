/**
 * GitHub repository and organization webhooks: the results of GitHub Actions workflow runs (`workflow_run`) and of
 * other CI apps (`check_suite`), optionally single jobs (`workflow_job`) and check runs (`check_run`). The
 * `X-GitHub-Event` header names the event; every other event (`ping`, `push`, …) is acknowledged without a message.
 */
import * as v from 'valibot';
import { BadRequestError, SecretMismatchError, UnauthorizedError } from '../runtime/errors';
import { durationBetween } from '../render/format';
import { linkIf, type ChatMessage, type Link, type Status } from '../model/message';
import { mediaType } from '../net/content-type';
import { signatureMatches } from '../security/hmac';
import { buildResultMessage, commitLink, commitTitle } from './build-result';
import { hashedKey, stableJson } from './delivery-key';
import { senderStatusOf } from './sender-status';
import { decodeNamedEvent, otherEvent } from './event-types';
import { decodeJson, defineSource, type InboundRequest } from './source';
import { ownEntry } from '../runtime/own-entry';

const UserSchema = v.object({ login: v.string() });
const AppSchema = v.object({ slug: v.nullish(v.string()), name: v.string() });
const CommitSchema = v.object({ message: v.string() });
const PullRequestSchema = v.object({ number: v.number() });

/** What every event of a repository carries. */
const EventEntries = {
  action: v.string(),
  repository: v.object({ full_name: v.string(), html_url: v.string() }),
  sender: v.nullish(UserSchema),
};

/** `workflow_run`: a GitHub Actions workflow run was requested, started or completed. */
export const WorkflowRunEventSchema = v.object({
  ...EventEntries,
  workflow: v.nullish(v.object({ name: v.string() })),
  workflow_run: v.object({
    // Usually the workflow's name, but `""` for an unnamed workflow file and e.g. "PR #166" for dynamic workflows.
    name: v.nullish(v.string()),
    run_number: v.number(),
    run_attempt: v.optional(v.number()),
    event: v.optional(v.string()),
    conclusion: v.nullish(v.string()),
    head_branch: v.nullish(v.string()),
    head_sha: v.string(),
    head_commit: v.nullish(CommitSchema),
    display_title: v.optional(v.string()),
    html_url: v.string(),
    created_at: v.optional(v.string()),
    run_started_at: v.optional(v.string()),
    updated_at: v.optional(v.string()),
    actor: v.nullish(UserSchema),
    triggering_actor: v.nullish(UserSchema),
    pull_requests: v.optional(v.array(PullRequestSchema), []),
  }),
});
export type WorkflowRunEvent = v.InferOutput<typeof WorkflowRunEventSchema>;

/** `check_suite`: the checks of one CI app on one commit completed (or were requested). */
export const CheckSuiteEventSchema = v.object({
  ...EventEntries,
  check_suite: v.object({
    id: v.number(),
    head_branch: v.nullish(v.string()),
    head_sha: v.string(),
    conclusion: v.nullish(v.string()),
    app: v.nullish(AppSchema),
    head_commit: v.nullish(CommitSchema),
    created_at: v.optional(v.string()),
    updated_at: v.optional(v.string()),
    pull_requests: v.optional(v.array(PullRequestSchema), []),
  }),
});
export type CheckSuiteEvent = v.InferOutput<typeof CheckSuiteEventSchema>;

/** `workflow_job`: one job of a workflow run was queued, started or completed. */
export const WorkflowJobEventSchema = v.object({
  ...EventEntries,
  workflow_job: v.object({
    name: v.string(),
    workflow_name: v.nullish(v.string()),
    run_id: v.number(),
    head_branch: v.nullish(v.string()),
    head_sha: v.string(),
    html_url: v.nullish(v.string()),
    conclusion: v.nullish(v.string()),
    started_at: v.nullish(v.string()),
    completed_at: v.nullish(v.string()),
    runner_name: v.nullish(v.string()),
    steps: v.optional(v.array(v.object({ name: v.string(), conclusion: v.nullish(v.string()) })), []),
  }),
});
export type WorkflowJobEvent = v.InferOutput<typeof WorkflowJobEventSchema>;

/** `check_run`: one check of a CI app was created or completed. */
export const CheckRunEventSchema = v.object({
  ...EventEntries,
  check_run: v.object({
    name: v.string(),
    head_sha: v.string(),
    html_url: v.nullish(v.string()),
    details_url: v.nullish(v.string()),
    conclusion: v.nullish(v.string()),
    started_at: v.nullish(v.string()),
    completed_at: v.nullish(v.string()),
    output: v.nullish(v.object({ title: v.nullish(v.string()) })),
    app: v.nullish(AppSchema),
    check_suite: v.nullish(v.object({ head_branch: v.nullish(v.string()) })),
    pull_requests: v.optional(v.array(PullRequestSchema), []),
  }),
});
export type CheckRunEvent = v.InferOutput<typeof CheckRunEventSchema>;

const READ_EVENTS = ['workflow_run', 'check_suite', 'workflow_job', 'check_run'];

/** `{ event: <X-GitHub-Event>, body }`: the header picks the body's schema. */
export const GitHubSchema = v.variant('event', [
  v.object({ event: v.literal('workflow_run'), body: WorkflowRunEventSchema }),
  v.object({ event: v.literal('check_suite'), body: CheckSuiteEventSchema }),
  v.object({ event: v.literal('workflow_job'), body: WorkflowJobEventSchema }),
  v.object({ event: v.literal('check_run'), body: CheckRunEventSchema }),
  otherEvent('event', READ_EVENTS),
]);
export type GitHub = v.InferOutput<typeof GitHubSchema>;

/** What a team may turn on (`SOURCE_SETTINGS.github`); everything is off by default to keep the space quiet. */
export const GitHubSettingsSchema = v.strictObject({
  /** Post each job of a workflow run (`workflow_job` events), not only the run. */
  workflowJob: v.optional(v.boolean(), false),
  /** Post each check run (`check_run` events), not only the check suite. */
  checkRun: v.optional(v.boolean(), false),
  /** Also post when a workflow run (or, with `workflowJob`, a job) starts. */
  inProgress: v.optional(v.boolean(), false),
});
export type GitHubSettings = v.InferOutput<typeof GitHubSettingsSchema>;

/** GitHub's conclusions in the relay's words; each has its own mark and word in the chat. */
const CONCLUSIONS: Readonly<Record<string, Status>> = {
  success: 'success',
  failure: 'failure',
  cancelled: 'cancelled',
  timed_out: 'timed_out',
  skipped: 'skipped',
  neutral: 'neutral',
  action_required: 'action_required',
  // A workflow file that could not start failed; a suite GitHub gave up waiting for has no verdict.
  startup_failure: 'failure',
  stale: 'neutral',
};

/** The status of a completed run, with GitHub's own word where the status word does not say it. */
function conclusionOf(conclusion: string | null | undefined): { status: Status; senderStatus?: string } {
  const status = ownEntry(CONCLUSIONS, conclusion ?? '') ?? 'neutral';
  return { status, senderStatus: senderStatusOf(conclusion, status) };
}

/**
 * What a run's or job's `action` asks for: the end (`completed`), the start (`in_progress`, only with the
 * `inProgress` setting; `requested`/`queued`/`waiting` are never posted: `in_progress` follows), or nothing.
 */
function phaseOf(action: string, settings: GitHubSettings): 'completed' | 'started' | undefined {
  if (action === 'completed') return 'completed';
  return action === 'in_progress' && settings.inProgress ? 'started' : undefined;
}

/** The status of a run or job in the given phase, from its conclusion when it has ended. */
function outcome(phase: 'completed' | 'started', conclusion: string | null | undefined): { status: Status; senderStatus?: string } {
  return phase === 'started' ? { status: 'started' } : conclusionOf(conclusion);
}

function pullRequestLinks(repositoryUrl: string, pullRequests: ReadonlyArray<{ number: number }>): Link[] {
  return pullRequests.flatMap((pr) => linkIf(`PR #${pr.number}`, `${repositoryUrl}/pull/${pr.number}`));
}

function workflowRunMessages(event: WorkflowRunEvent, settings: GitHubSettings): ChatMessage[] {
  const phase = phaseOf(event.action, settings);
  if (!phase) return [];
  const run = event.workflow_run;
  const { status, senderStatus } = outcome(phase, run.conclusion);
  const attempt = run.run_attempt && run.run_attempt > 1 ? [{ name: 'Attempt', value: String(run.run_attempt) }] : [];
  return [
    buildResultMessage({
      source: 'github',
      status,
      senderStatus,
      title: event.workflow?.name || run.name || 'Workflow run',
      summary: commitTitle(run.head_commit?.message) ?? run.display_title,
      repository: event.repository.full_name,
      ref: run.head_branch ?? undefined,
      commit: run.head_sha,
      actor: (run.triggering_actor ?? run.actor ?? event.sender)?.login,
      duration: phase === 'completed' ? durationBetween(run.run_started_at ?? run.created_at, run.updated_at) : undefined,
      fields: [...(run.event ? [{ name: 'Trigger', value: run.event }] : []), ...attempt],
      links: [
        ...linkIf(`Run #${run.run_number}`, run.html_url),
        ...commitLink(event.repository.html_url, run.head_sha),
        ...pullRequestLinks(event.repository.html_url, run.pull_requests),
      ],
    }),
  ];
}

/** The app behind GitHub Actions: its suites duplicate the `workflow_run` events, which say more. */
const ACTIONS_APP = 'github-actions';

function checkSuiteMessages(event: CheckSuiteEvent): ChatMessage[] {
  const suite = event.check_suite;
  if (event.action !== 'completed' || suite.app?.slug === ACTIONS_APP) return [];
  const { status, senderStatus } = conclusionOf(suite.conclusion);
  const repository = event.repository.html_url;
  return [
    buildResultMessage({
      source: 'github',
      status,
      senderStatus,
      title: suite.app?.name ?? 'Check suite',
      summary: commitTitle(suite.head_commit?.message),
      repository: event.repository.full_name,
      ref: suite.head_branch ?? undefined,
      commit: suite.head_sha,
      actor: event.sender?.login,
      duration: durationBetween(suite.created_at, suite.updated_at),
      links: [
        ...linkIf('Checks', `${repository}/commit/${suite.head_sha}/checks?check_suite_id=${suite.id}`),
        ...commitLink(repository, suite.head_sha),
        ...pullRequestLinks(repository, suite.pull_requests),
      ],
    }),
  ];
}

function workflowJobMessages(event: WorkflowJobEvent, settings: GitHubSettings): ChatMessage[] {
  const phase = phaseOf(event.action, settings);
  if (!phase) return [];
  const job = event.workflow_job;
  const { status, senderStatus } = outcome(phase, job.conclusion);
  const failedStep = job.steps.find((step) => step.conclusion === 'failure');
  const repository = event.repository.html_url;
  return [
    buildResultMessage({
      source: 'github',
      status,
      senderStatus,
      title: job.workflow_name ? `${job.workflow_name} / ${job.name}` : job.name,
      summary: failedStep ? `Step “${failedStep.name}” failed` : undefined,
      repository: event.repository.full_name,
      ref: job.head_branch ?? undefined,
      commit: job.head_sha,
      actor: event.sender?.login,
      duration: phase === 'completed' ? durationBetween(job.started_at ?? undefined, job.completed_at ?? undefined) : undefined,
      fields: job.runner_name ? [{ name: 'Runner', value: job.runner_name }] : [],
      links: [
        ...linkIf('Job', job.html_url),
        ...linkIf('Run', `${repository}/actions/runs/${job.run_id}`),
        ...commitLink(repository, job.head_sha),
      ],
    }),
  ];
}

function checkRunMessages(event: CheckRunEvent): ChatMessage[] {
  if (event.action !== 'completed') return [];
  const check = event.check_run;
  const { status, senderStatus } = conclusionOf(check.conclusion);
  const repository = event.repository.html_url;
  return [
    buildResultMessage({
      source: 'github',
      status,
      senderStatus,
      title: check.name,
      summary: check.output?.title ?? undefined,
      repository: event.repository.full_name,
      ref: check.check_suite?.head_branch ?? undefined,
      commit: check.head_sha,
      actor: event.sender?.login,
      duration: durationBetween(check.started_at ?? undefined, check.completed_at ?? undefined),
      fields: check.app ? [{ name: 'App', value: check.app.name }] : [],
      links: [
        ...linkIf('Check run', check.html_url),
        // The app's own page, when it has one besides GitHub's.
        ...(check.details_url !== check.html_url ? linkIf('Details', check.details_url) : []),
        ...commitLink(repository, check.head_sha),
        ...pullRequestLinks(repository, check.pull_requests),
      ],
    }),
  ];
}

/**
 * `X-Hub-Signature-256: sha256=<hex>`, the HMAC-SHA256 of the raw body under the webhook's secret. (GitHub also
 * sends the SHA-1 `X-Hub-Signature` for old receivers; it is not accepted.)
 */
function verify(request: InboundRequest, secret: string): void {
  const header = request.headers['x-hub-signature-256'];
  if (!header) {
    throw new UnauthorizedError('missing X-Hub-Signature-256 header: set the webhook secret in GitHub to the relay webhook secret');
  }
  const [scheme, signature] = header.split('=', 2);
  if (scheme !== 'sha256' || !signature) throw new UnauthorizedError('X-Hub-Signature-256 must be "sha256=<hex>"');
  if (!signatureMatches(request.body, secret, [signature])) {
    throw new SecretMismatchError('X-Hub-Signature-256 does not match the body: check the webhook secret');
  }
}

/** GitHub's default content type sends the JSON as the `payload` form field; both are accepted. */
function decodeBody(request: InboundRequest): unknown {
  if (mediaType(request.headers['content-type']) !== 'application/x-www-form-urlencoded') return decodeJson(request);
  const payload = new URLSearchParams(request.body.toString('utf8')).get('payload');
  if (payload === null) {
    throw new BadRequestError('form body without a payload field', { problems: [{ field: 'payload', problem: 'missing' }] });
  }
  return decodeJson({ ...request, body: Buffer.from(payload) });
}

/** GitHub at `/hooks/github`: build results of GitHub Actions and other CI apps. */
export const github = defineSource<GitHub, GitHubSettings>({
  name: 'github',
  schema: GitHubSchema,
  settings: GitHubSettingsSchema,
  webhook: {
    contentTypes: ['application/json', 'application/x-www-form-urlencoded'],
    verify,
    decode: decodeNamedEvent('x-github-event', decodeBody),
    detect: (request) => 'x-github-event' in request.headers,
  },
  // GitHub redelivers with the same X-GitHub-Delivery; the body stands in only if a proxy dropped the header.
  deliveryKey: (input, request) => hashedKey('github', [request?.headers['x-github-delivery'] ?? stableJson(input)]),
  toMessages: (input, settings) => {
    switch (input.event) {
      case 'workflow_run':
        return workflowRunMessages(input.body, settings);
      case 'check_suite':
        return checkSuiteMessages(input.body);
      case 'workflow_job':
        return settings.workflowJob ? workflowJobMessages(input.body, settings) : [];
      case 'check_run':
        return settings.checkRun ? checkRunMessages(input.body) : [];
      case 'other':
        return [];
    }
  },
});

/**
 * AWS CodeBuild `CodeBuild Build State Change` events (EventBridge, or a CodeStar notification rule through SNS):
 * one message per finished build, with the phase that failed and why. Phase changes are acknowledged and not posted:
 * the build's own state change already names the phase that failed.
 */
import * as v from 'valibot';
import { EventBridgeEntries } from '../envelopes/eventbridge';
import { formatDuration } from '../render/format';
import { knownFacts } from '../model/facts';
import { chatMessage, linkIf, type Field, type Status } from '../model/message';
import { accountField, asEventBridge, consoleUrl, isAwsEvent, parseArn } from './aws';
import { hashedKey } from './delivery-key';
import { senderStatusOf } from './sender-status';
import { defineSource } from './source';

const STATE_CHANGE = 'CodeBuild Build State Change';
const PHASE_CHANGE = 'CodeBuild Build Phase Change';

/** The build statuses CodeBuild reports, and how each is shown (with CodeBuild's word where it says more: `FAULT`). */
const LOOKS = {
  SUCCEEDED: 'success',
  FAILED: 'failure',
  FAULT: 'failure',
  STOPPED: 'cancelled',
  TIMED_OUT: 'timed_out',
  IN_PROGRESS: 'started',
} as const satisfies Record<string, Status>;
type BuildStatus = keyof typeof LOOKS;
const BUILD_STATUSES = Object.keys(LOOKS) as BuildStatus[];

export const CodeBuildPhaseSchema = v.object({
  'phase-type': v.string(),
  // The last entry (`COMPLETED`) has neither status nor context.
  'phase-status': v.optional(v.string()),
  'phase-context': v.optional(v.nullable(v.array(v.nullable(v.string()))), []),
  'duration-in-seconds': v.optional(v.number()),
});
export type CodeBuildPhase = v.InferOutput<typeof CodeBuildPhaseSchema>;

export const CodeBuildBuildStateSchema = v.object({
  // A string, not a picklist: a status CodeBuild adds later is acknowledged (and not posted), not refused.
  'build-status': v.string(),
  'project-name': v.string(),
  'build-id': v.string(),
  'additional-information': v.optional(
    v.object({
      initiator: v.optional(v.string()),
      'build-number': v.optional(v.number()),
      'timeout-in-minutes': v.optional(v.number()),
      'source-version': v.optional(v.string()),
      source: v.optional(v.object({ type: v.optional(v.string()), location: v.optional(v.string()) })),
      logs: v.optional(v.object({ 'deep-link': v.optional(v.string()) })),
      phases: v.optional(v.array(CodeBuildPhaseSchema), []),
    }),
    { phases: [] },
  ),
});

export const CodeBuildSchema = v.pipe(
  v.unknown(),
  v.transform(asEventBridge),
  v.variant('detail-type', [
    v.object({ ...EventBridgeEntries, 'detail-type': v.literal(STATE_CHANGE), detail: CodeBuildBuildStateSchema }),
    v.object({ ...EventBridgeEntries, 'detail-type': v.literal(PHASE_CHANGE), detail: v.unknown() }),
  ]),
);
export type CodeBuild = v.InferOutput<typeof CodeBuildSchema>;
type BuildState = v.InferOutput<typeof CodeBuildBuildStateSchema>;

/** What a team may choose (`SOURCE_SETTINGS.codebuild`). */
export const CodeBuildSettingsSchema = v.strictObject({
  /** Build statuses that post a message; `IN_PROGRESS` (a build started) is off by default. */
  states: v.optional(
    v.array(v.picklist(BUILD_STATUSES, `must be one of ${BUILD_STATUSES.join(', ')}`)),
    ['SUCCEEDED', 'FAILED', 'FAULT', 'STOPPED', 'TIMED_OUT'],
  ),
});
export type CodeBuildSettings = v.InferOutput<typeof CodeBuildSettingsSchema>;

/** `TIMED_OUT` → `timed out`. */
const spoken = (status: string): string => status.toLowerCase().replace(/_/g, ' ');

/** CodeBuild pads empty contexts as `": "`; only real text is worth showing. */
function contextOf(phase: CodeBuildPhase): string | undefined {
  const lines = (phase['phase-context'] ?? []).filter((line): line is string => !!line && !/^[\s:]*$/.test(line));
  return lines.length > 0 ? lines.join('\n') : undefined;
}

/** `DOWNLOAD_SOURCE failed: YAML_FILE_ERROR: …`: the first phase that did not succeed, and what CodeBuild said about it. */
function summaryOf(status: string, build: BuildState): string | undefined {
  const info = build['additional-information'];
  const phase = info.phases.find((p) => p['phase-status'] !== undefined && p['phase-status'] !== 'SUCCEEDED');
  const timeout = info['timeout-in-minutes'];
  const limit = status === 'TIMED_OUT' && timeout !== undefined ? ` (the limit is ${timeout} min)` : '';
  const fault = status === 'FAULT' ? 'CodeBuild reported a fault' : undefined;
  if (!phase) return fault ?? (limit ? `Timed out${limit}` : undefined);
  const context = contextOf(phase);
  const said = `${phase['phase-type']} ${spoken(phase['phase-status']!)}${limit}${context ? `: ${context}` : ''}`;
  return fault ? `${fault}: ${said}` : said;
}

/** The phases' durations added up: CodeBuild's start time has no time zone, the phases' seconds need none. */
function durationField(build: BuildState): Field[] {
  const seconds = build['additional-information'].phases.reduce((sum, phase) => sum + (phase['duration-in-seconds'] ?? 0), 0);
  return seconds > 0 ? [{ name: 'Duration', value: formatDuration(seconds * 1000) }] : [];
}

/** A commit id is shown short, as in every git tool; other versions (S3 object versions, refs) as they are. */
function versionOf(version: string): string {
  return /^[0-9a-f]{40}$/.test(version) ? version.slice(0, 12) : version;
}

/** The build's page: `…/codesuite/codebuild/<account>/projects/<project>/build/<project>:<uuid>/`. */
function buildUrl(buildArn: string, project: string): string | undefined {
  const arn = parseArn(buildArn);
  const id = arn?.resource.replace(/^build\//, '');
  if (!arn || !id) return undefined;
  const path = `codesuite/codebuild/${arn.account}/projects/${encodeURIComponent(project)}/build/${encodeURIComponent(id)}/`;
  return consoleUrl(arn.region, path);
}

export const codebuild = defineSource<CodeBuild, CodeBuildSettings>({
  name: 'codebuild',
  schema: CodeBuildSchema,
  settings: CodeBuildSettingsSchema,
  event: { matches: (event) => isAwsEvent(event, 'aws.codebuild', [STATE_CHANGE, PHASE_CHANGE]) },
  deliveryKey: (event) => hashedKey('codebuild', [event.id]),
  toMessages: (event, settings) => {
    if (event['detail-type'] !== STATE_CHANGE) return [];
    const build = event.detail;
    const status = build['build-status'];
    if (!(settings.states as string[]).includes(status)) return [];
    const info = build['additional-information'];
    const number = info['build-number'];
    const source = info.source?.location;
    const version = info['source-version'];
    return [
      chatMessage({
        source: 'codebuild',
        status: LOOKS[status as BuildStatus],
        senderStatus: senderStatusOf(status, LOOKS[status as BuildStatus]),
        title: number === undefined ? build['project-name'] : `${build['project-name']} #${number}`,
        summary: summaryOf(status, build),
        fields: [
          ...durationField(build),
          ...(info.initiator ? [{ name: 'Initiator', value: info.initiator }] : []),
          ...(source ? [{ name: 'Source', value: source }] : []),
          ...(version ? [{ name: 'Version', value: versionOf(version) }] : []),
          ...accountField(event.account, event.region),
        ],
        links: [
          ...linkIf(number === undefined ? 'Build' : `Build #${number}`, buildUrl(build['build-id'], build['project-name'])),
          ...linkIf('Logs', info.logs?.['deep-link']),
        ],
        groupKey: `codebuild:${build['build-id']}`,
        facts: knownFacts({ project: build['project-name'] }),
      }),
    ];
  },
});

/**
 * AWS CodePipeline execution state changes (EventBridge, or a CodeStar notification rule through SNS): by default one
 * message per finished pipeline execution. Stage- and action-level changes, and started executions, are acknowledged
 * and not posted unless the team's settings ask for them.
 */
import * as v from 'valibot';
import { EventBridgeEntries } from '../envelopes/eventbridge';
import { knownFacts } from '../model/facts';
import { chatMessage, linkIf, type Field, type Status } from '../model/message';
import { leadingChars } from '../runtime/text';
import { accountField, asEventBridge, consoleUrl, isAwsEvent, parseArn } from './aws';
import { hashedKey } from './delivery-key';
import { senderStatusOf } from './sender-status';
import { defineSource } from './source';

const DETAIL_TYPES = {
  pipeline: 'CodePipeline Pipeline Execution State Change',
  stage: 'CodePipeline Stage Execution State Change',
  action: 'CodePipeline Action Execution State Change',
} as const;
type Level = keyof typeof DETAIL_TYPES;
const LEVELS = Object.keys(DETAIL_TYPES) as Level[];

/**
 * The states of executions, stages and actions, and how each is shown, with CodePipeline's own word next to the
 * status where it says more (`⏭️ SKIPPED (SUPERSEDED)`). SUPERSEDED is shown as skipped, not cancelled:
 * nobody stopped that execution and nothing failed; a newer one overtook it, and the newer one's result is what
 * counts. ⚪ CANCELLED would send readers looking for who stopped it.
 */
const LOOKS = {
  SUCCEEDED: 'success',
  FAILED: 'failure',
  STOPPED: 'cancelled',
  CANCELED: 'cancelled',
  ABANDONED: 'cancelled',
  SUPERSEDED: 'skipped',
  STARTED: 'started',
  RESUMED: 'started',
  STOPPING: 'info',
} as const satisfies Record<string, Status>;
type State = keyof typeof LOOKS;
const STATES = Object.keys(LOOKS) as State[];

/** What a state means, when its word alone does not say it (CodePipeline's own explanations). */
const EXPLAINED: Partial<Record<State, string>> = {
  SUPERSEDED: 'A newer execution overtook this one; its result is the one that counts.',
  CANCELED: 'Canceled because the pipeline structure was updated.',
  RESUMED: 'A failed stage is being retried.',
  STOPPING: 'Stopping.',
};

export const CodePipelineDetailSchema = v.object({
  pipeline: v.string(),
  'execution-id': v.string(),
  // A string, not a picklist: a state CodePipeline adds later is acknowledged (and not posted), not refused.
  state: v.string(),
  stage: v.optional(v.string()),
  action: v.optional(v.string()),
  type: v.optional(v.object({ category: v.optional(v.string()), provider: v.optional(v.string()) })),
  'execution-trigger': v.optional(
    v.object({ 'trigger-type': v.optional(v.string()), 'trigger-detail': v.optional(v.string()) }),
  ),
  'execution-result': v.optional(
    v.object({
      'external-execution-url': v.optional(v.string()),
      'external-execution-summary': v.optional(v.string()),
      'error-code': v.optional(v.string()),
    }),
  ),
  'pipeline-execution-attempt': v.optional(v.number()),
});
export type CodePipelineDetail = v.InferOutput<typeof CodePipelineDetailSchema>;

export const CodePipelineSchema = v.pipe(
  v.unknown(),
  v.transform(asEventBridge),
  v.object({ ...EventBridgeEntries, 'detail-type': v.picklist(Object.values(DETAIL_TYPES)), detail: CodePipelineDetailSchema }),
);
export type CodePipeline = v.InferOutput<typeof CodePipelineSchema>;

/** What a team may choose (`SOURCE_SETTINGS.codepipeline`). */
export const CodePipelineSettingsSchema = v.strictObject({
  /** States that post a message; STARTED, RESUMED and STOPPING are off by default. */
  states: v.optional(v.array(v.picklist(STATES, `must be one of ${STATES.join(', ')}`)), [
    'SUCCEEDED',
    'FAILED',
    'STOPPED',
    'CANCELED',
    'ABANDONED',
    'SUPERSEDED',
  ]),
  /** Which changes post a message: the whole execution, and optionally each stage and each action. */
  levels: v.optional(v.array(v.picklist(LEVELS, `must be one of ${LEVELS.join(', ')}`)), ['pipeline']),
});
export type CodePipelineSettings = v.InferOutput<typeof CodePipelineSettingsSchema>;

function levelOf(detailType: string): Level {
  return LEVELS.find((level) => DETAIL_TYPES[level] === detailType)!;
}

/** `StartPipelineExecution by Admin/jane`: the trigger, and who pulled it when CodePipeline names an IAM identity. */
function triggerField(detail: CodePipelineDetail): Field[] {
  const type = detail['execution-trigger']?.['trigger-type'];
  if (!type) return [];
  const by = parseArn(detail['execution-trigger']?.['trigger-detail']);
  const who = by && (by.service === 'iam' || by.service === 'sts') ? by.resource.replace(/^(user|assumed-role)\//, '') : undefined;
  return [{ name: 'Trigger', value: who ? `${type} by ${who}` : type }];
}

function actionField(detail: CodePipelineDetail): Field[] {
  const kind = [detail.type?.category, detail.type?.provider].filter(Boolean).join(' · ');
  return kind ? [{ name: 'Action', value: kind }] : [];
}

function summaryOf(state: State, detail: CodePipelineDetail): string | undefined {
  const result = detail['execution-result'];
  const said = [result?.['error-code'], result?.['external-execution-summary']].filter(Boolean).join(': ');
  return said || EXPLAINED[state];
}

export const codepipeline = defineSource<CodePipeline, CodePipelineSettings>({
  name: 'codepipeline',
  schema: CodePipelineSchema,
  settings: CodePipelineSettingsSchema,
  event: { matches: (event) => isAwsEvent(event, 'aws.codepipeline', Object.values(DETAIL_TYPES)) },
  deliveryKey: (event) => hashedKey('codepipeline', [event.id]),
  toMessages: (event, settings) => {
    const detail = event.detail;
    const level = levelOf(event['detail-type']);
    const state = detail.state as State;
    if (!settings.levels.includes(level) || !settings.states.includes(state)) return [];
    const name = encodeURIComponent(detail.pipeline);
    const execution = detail['execution-id'];
    const attempt = detail['pipeline-execution-attempt'];
    // An event without its stage or action name still says which level changed.
    const path = [
      detail.pipeline,
      ...(level === 'pipeline' ? [] : [detail.stage ?? 'stage']),
      ...(level === 'action' ? [detail.action ?? 'action'] : []),
    ];
    return [
      chatMessage({
        source: 'codepipeline',
        status: LOOKS[state],
        senderStatus: senderStatusOf(state, LOOKS[state]),
        title: path.join(' › '),
        summary: summaryOf(state, detail),
        fields: [
          ...(level === 'action' ? actionField(detail) : []),
          ...triggerField(detail),
          ...(attempt !== undefined && attempt > 1 ? [{ name: 'Attempt', value: String(attempt) }] : []),
          ...accountField(event.account, event.region),
        ],
        links: [
          ...linkIf(
            `Execution ${leadingChars(execution, 8)}`,
            consoleUrl(event.region, `codesuite/codepipeline/pipelines/${name}/executions/${encodeURIComponent(execution)}/timeline`),
          ),
          ...linkIf('Pipeline', consoleUrl(event.region, `codesuite/codepipeline/pipelines/${name}/view`)),
          ...linkIf('Details', detail['execution-result']?.['external-execution-url']),
        ],
        groupKey: `codepipeline:${event.account}:${event.region}:${[...path, execution].join(':')}`,
        facts: knownFacts({ project: detail.pipeline }),
      }),
    ];
  },
});

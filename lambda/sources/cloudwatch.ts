/**
 * CloudWatch alarm state changes, in the three shapes AWS sends them: the alarm notification an SNS topic carries
 * (after the SNS envelope is taken off, on either road: SNS → SQS, or SNS → HTTPS through the `sns` source), the
 * EventBridge `CloudWatch Alarm State Change` event, and the alarm-action-to-Lambda event (`alarmData`). All three
 * become one `CloudWatchAlarm`, so an alarm reads the same whichever road it took.
 */
import * as v from 'valibot';
import { EventBridgeEntries, isEventBridge } from '../envelopes/eventbridge';
import { formatTime } from '../render/format';
import { chatMessage, linkIf, type Field, type Item, type Status } from '../model/message';
import { accountField, consoleUrl, isRecord, parseArn } from './aws';
import { hashedKey } from './delivery-key';
import { senderStatusOf } from './sender-status';
import { defineSource } from './source';
import { ownEntry } from '../runtime/own-entry';

const STATE_CHANGE = 'CloudWatch Alarm State Change';
const CONFIGURATION_CHANGE = 'CloudWatch Alarm Configuration Change';

/** Each alarm state has its own look: 🔥 FIRING, ✅ RESOLVED, ❔ INSUFFICIENT DATA. */
const LOOKS = { ALARM: 'firing', OK: 'resolved', INSUFFICIENT_DATA: 'insufficient_data' } as const satisfies Record<string, Status>;
type AlarmState = keyof typeof LOOKS;
const AlarmStateSchema = v.picklist(Object.keys(LOOKS) as AlarmState[]);

/** One metric or expression the alarm watches, whichever shape it came in. */
export interface AlarmMetric {
  readonly id?: string;
  readonly label?: string;
  readonly expression?: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly stat?: string;
  readonly period?: number;
  readonly dimensions: Readonly<Record<string, string>>;
}

/** An alarm state change, as the message needs it. */
export interface CloudWatchAlarm {
  readonly kind: 'state-change';
  readonly name: string;
  readonly arn?: string;
  readonly account?: string;
  /** A region code, or (in old SNS messages without an alarm ARN) the region's display name. */
  readonly region?: string;
  readonly state: AlarmState;
  readonly previousState?: string;
  readonly changedAt: string;
  readonly reason?: string;
  readonly description?: string;
  readonly metrics: readonly AlarmMetric[];
  readonly threshold?: number;
  readonly comparison?: string;
  readonly evaluationPeriods?: number;
  readonly datapointsToAlarm?: number;
  readonly recentDatapoints: readonly number[];
  /** The anomaly detection band at the last datapoint. */
  readonly band?: { readonly lower: number; readonly upper: number };
  /** Composite alarms: the rule, and the children that moved it. */
  readonly rule?: string;
  readonly children: readonly { readonly arn: string; readonly state?: string }[];
  readonly actionsSuppressed?: string;
}

/** An event of the `aws.cloudwatch` source that is acknowledged and not posted (an alarm's configuration changed). */
export interface IgnoredAlarmEvent {
  readonly kind: 'ignored';
  readonly id: string;
}

/** `reasonData`: the evaluation behind a state change, as a JSON string inside the event. */
export const AlarmReasonDataSchema = v.object({
  threshold: v.optional(v.number()),
  recentDatapoints: v.optional(v.array(v.number()), []),
  recentLowerThresholds: v.optional(v.array(v.number()), []),
  recentUpperThresholds: v.optional(v.array(v.number()), []),
  triggeringAlarms: v.optional(
    v.array(v.object({ arn: v.string(), state: v.optional(v.object({ value: v.string() })) })),
    [],
  ),
});
type AlarmReasonData = v.InferOutput<typeof AlarmReasonDataSchema>;

/** reasonData is extra detail: when it is missing or unreadable the message goes out without it, not refused. */
function reasonDataOf(text: string | undefined): AlarmReasonData {
  let json: unknown;
  try {
    json = JSON.parse(text ?? '{}');
  } catch {
    json = {};
  }
  const parsed = v.safeParse(AlarmReasonDataSchema, json);
  return parsed.success ? parsed.output : v.parse(AlarmReasonDataSchema, {});
}

/** CloudWatch writes `2019-10-02T17:04:40.989+0000`; the same instant in ISO form, so all shapes key alike. */
function instant(timestamp: string): string {
  const time = Date.parse(timestamp);
  return Number.isNaN(time) ? timestamp : new Date(time).toISOString();
}

// --- EventBridge `CloudWatch Alarm State Change`, and the alarm action to Lambda (same `detail`, as `alarmData`) ---

const EventStateSchema = v.object({
  value: v.string(),
  reason: v.optional(v.string()),
  reasonData: v.optional(v.string()),
  timestamp: v.string(),
  actionsSuppressedBy: v.optional(v.string()),
  actionsSuppressedReason: v.optional(v.string()),
});

const EventMetricSchema = v.object({
  id: v.optional(v.string()),
  expression: v.optional(v.string()),
  label: v.optional(v.string()),
  metricStat: v.optional(
    v.object({
      metric: v.object({
        namespace: v.optional(v.string()),
        name: v.optional(v.string()),
        dimensions: v.optional(v.record(v.string(), v.string()), {}),
      }),
      period: v.optional(v.number()),
      stat: v.optional(v.string()),
    }),
  ),
});

export const CloudWatchAlarmDetailSchema = v.object({
  alarmName: v.string(),
  state: v.object({ ...EventStateSchema.entries, value: AlarmStateSchema }),
  previousState: v.optional(EventStateSchema),
  configuration: v.optional(
    v.object({
      description: v.optional(v.nullable(v.string())),
      metrics: v.optional(v.array(EventMetricSchema), []),
      alarmRule: v.optional(v.string()),
    }),
    { metrics: [] },
  ),
});
type AlarmDetail = v.InferOutput<typeof CloudWatchAlarmDetailSchema>;

function fromDetail(detail: AlarmDetail, where: { arn?: string; account?: string; region?: string }): CloudWatchAlarm {
  const reasonData = reasonDataOf(detail.state.reasonData);
  const config = detail.configuration;
  return {
    kind: 'state-change',
    name: detail.alarmName,
    ...where,
    state: detail.state.value,
    previousState: detail.previousState?.value,
    changedAt: instant(detail.state.timestamp),
    reason: detail.state.reason,
    description: config.description ?? undefined,
    metrics: config.metrics.map((metric) => ({
      id: metric.id,
      label: metric.label,
      expression: metric.expression,
      namespace: metric.metricStat?.metric.namespace,
      name: metric.metricStat?.metric.name,
      stat: metric.metricStat?.stat,
      period: metric.metricStat?.period,
      dimensions: metric.metricStat?.metric.dimensions ?? {},
    })),
    threshold: reasonData.threshold,
    recentDatapoints: reasonData.recentDatapoints,
    band: bandOf(reasonData),
    rule: config.alarmRule,
    children: reasonData.triggeringAlarms.map((child) => ({ arn: child.arn, state: child.state?.value })),
    actionsSuppressed: detail.state.actionsSuppressedReason ?? detail.state.actionsSuppressedBy,
  };
}

function bandOf(data: AlarmReasonData): CloudWatchAlarm['band'] {
  const lower = data.recentLowerThresholds.at(-1);
  const upper = data.recentUpperThresholds.at(-1);
  return lower !== undefined && upper !== undefined ? { lower, upper } : undefined;
}

export const CloudWatchAlarmStateChangeSchema = v.pipe(
  v.object({ ...EventBridgeEntries, 'detail-type': v.literal(STATE_CHANGE), detail: CloudWatchAlarmDetailSchema }),
  v.transform((event): CloudWatchAlarm => fromDetail(event.detail, { arn: event.resources[0], account: event.account, region: event.region })),
);

const IgnoredEventSchema = v.pipe(
  v.object({ ...EventBridgeEntries, 'detail-type': v.literal(CONFIGURATION_CHANGE) }),
  v.transform((event): IgnoredAlarmEvent => ({ kind: 'ignored', id: event.id })),
);

export const CloudWatchAlarmActionSchema = v.pipe(
  v.object({
    source: v.literal('aws.cloudwatch'),
    alarmArn: v.string(),
    accountId: v.optional(v.string()),
    region: v.optional(v.string()),
    alarmData: CloudWatchAlarmDetailSchema,
  }),
  v.transform((event): CloudWatchAlarm => fromDetail(event.alarmData, { arn: event.alarmArn, account: event.accountId, region: event.region })),
);

// --- The alarm notification published to SNS ---

const SnsDimensionsSchema = v.optional(
  v.pipe(
    v.array(v.object({ name: v.string(), value: v.string() })),
    v.transform((list) => Object.fromEntries(list.map((d) => [d.name, d.value]))),
  ),
  [],
);

const SnsMetricSchema = v.object({
  Id: v.optional(v.string()),
  Expression: v.optional(v.string()),
  Label: v.optional(v.string()),
  MetricStat: v.optional(
    v.object({
      Metric: v.object({ Namespace: v.optional(v.string()), MetricName: v.optional(v.string()), Dimensions: SnsDimensionsSchema }),
      Period: v.optional(v.number()),
      Stat: v.optional(v.string()),
    }),
  ),
});

/** A composite alarm's children: documented as ARNs, sent as `{Arn, State}` objects; both are read. */
const SnsChildSchema = v.union([
  v.pipe(v.string(), v.transform((arn) => ({ arn, state: undefined as string | undefined }))),
  v.pipe(
    v.object({ Arn: v.string(), State: v.optional(v.object({ Value: v.string() })) }),
    v.transform((child) => ({ arn: child.Arn, state: child.State?.Value })),
  ),
]);

/** SNS spells standard statistics as constants (`SAMPLE_COUNT`); shown as the console and the other shapes do (`SampleCount`). */
function statisticName(statistic: string | null | undefined): string | undefined {
  if (!statistic) return undefined;
  if (!/^[A-Z_]+$/.test(statistic)) return statistic;
  return statistic.toLowerCase().replace(/(?:^|_)([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

export const CloudWatchSnsAlarmSchema = v.pipe(
  v.object({
    AlarmName: v.string(),
    AlarmDescription: v.optional(v.nullable(v.string())),
    AWSAccountId: v.optional(v.string()),
    NewStateValue: AlarmStateSchema,
    NewStateReason: v.optional(v.string()),
    StateChangeTime: v.string(),
    // The region's display name ("US East (N. Virginia)"); the code is in the alarm ARN, which old messages lack.
    Region: v.optional(v.string()),
    AlarmArn: v.optional(v.string()),
    OldStateValue: v.optional(v.string()),
    Trigger: v.optional(
      v.object({
        MetricName: v.optional(v.string()),
        Namespace: v.optional(v.string()),
        Statistic: v.optional(v.nullable(v.string())),
        ExtendedStatistic: v.optional(v.nullable(v.string())),
        Dimensions: SnsDimensionsSchema,
        Period: v.optional(v.number()),
        EvaluationPeriods: v.optional(v.number()),
        DatapointsToAlarm: v.optional(v.number()),
        ComparisonOperator: v.optional(v.string()),
        Threshold: v.optional(v.number()),
        Metrics: v.optional(v.array(SnsMetricSchema), []),
      }),
    ),
    AlarmRule: v.optional(v.string()),
    TriggeringChildren: v.optional(v.array(SnsChildSchema), []),
  }),
  v.transform((alarm): CloudWatchAlarm => {
    const trigger = alarm.Trigger;
    const arn = parseArn(alarm.AlarmArn);
    const single: AlarmMetric[] =
      trigger?.MetricName || trigger?.Namespace
        ? [
            {
              namespace: trigger.Namespace,
              name: trigger.MetricName,
              stat: statisticName(trigger.Statistic) ?? trigger.ExtendedStatistic ?? undefined,
              period: trigger.Period,
              dimensions: trigger.Dimensions,
            },
          ]
        : [];
    return {
      kind: 'state-change',
      name: alarm.AlarmName,
      arn: alarm.AlarmArn,
      account: alarm.AWSAccountId ?? arn?.account,
      region: arn?.region || alarm.Region,
      state: alarm.NewStateValue,
      previousState: alarm.OldStateValue,
      changedAt: instant(alarm.StateChangeTime),
      reason: alarm.NewStateReason,
      description: alarm.AlarmDescription ?? undefined,
      metrics: [
        ...single,
        ...(trigger?.Metrics ?? []).map((metric) => ({
          id: metric.Id,
          label: metric.Label,
          expression: metric.Expression,
          namespace: metric.MetricStat?.Metric.Namespace,
          name: metric.MetricStat?.Metric.MetricName,
          stat: metric.MetricStat?.Stat,
          period: metric.MetricStat?.Period,
          dimensions: metric.MetricStat?.Metric.Dimensions ?? {},
        })),
      ],
      threshold: trigger?.Threshold,
      comparison: trigger?.ComparisonOperator,
      evaluationPeriods: trigger?.EvaluationPeriods,
      datapointsToAlarm: trigger?.DatapointsToAlarm,
      // The SNS message carries no datapoints of its own; the reason text quotes them.
      recentDatapoints: [],
      rule: alarm.AlarmRule,
      children: alarm.TriggeringChildren,
    };
  }),
);

/** Any of the shapes, chosen by a look at the input so that a bad field is reported with its own path. */
export const CloudWatchSchema = v.lazy((input) => {
  if (isRecord(input) && 'alarmData' in input) return CloudWatchAlarmActionSchema;
  if (isRecord(input) && input['detail-type'] === CONFIGURATION_CHANGE) return IgnoredEventSchema;
  if (isRecord(input) && 'detail-type' in input) return CloudWatchAlarmStateChangeSchema;
  return CloudWatchSnsAlarmSchema;
});
export type CloudWatch = v.InferOutput<typeof CloudWatchSchema>;

// --- The message ---

/** `99.50160229693434` → `99.5016`: enough digits to read a value, not a float's noise. */
function readable(value: number): string {
  return String(Number(value.toPrecision(6)));
}

const COMPARISONS: Readonly<Record<string, string>> = {
  GreaterThanOrEqualToThreshold: '≥',
  GreaterThanThreshold: '>',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '≤',
  LessThanLowerOrGreaterThanUpperThreshold: 'outside the band',
  GreaterThanUpperThreshold: 'above the band',
  LessThanLowerThreshold: 'below the band',
};

/** `> 50 (1 of 1 datapoints)`, or `outside the band 0.0206–0.301` for anomaly detection. */
function thresholdField(alarm: CloudWatchAlarm): Field[] {
  const comparison = alarm.comparison ? (COMPARISONS[alarm.comparison] ?? alarm.comparison) : undefined;
  const limit = alarm.band
    ? `${readable(alarm.band.lower)}–${readable(alarm.band.upper)}`
    : alarm.threshold === undefined
      ? undefined
      : readable(alarm.threshold);
  if (limit === undefined) return [];
  const prefix = comparison ?? (alarm.band ? 'band' : undefined);
  const periods = alarm.evaluationPeriods;
  const suffix = periods === undefined ? '' : ` (${alarm.datapointsToAlarm ?? periods} of ${periods} datapoints)`;
  return [{ name: 'Threshold', value: `${prefix ? `${prefix} ` : ''}${limit}${suffix}` }];
}

/** `AWS/EC2 CPUUtilization · Average · 5 min`, or `e1 = SUM(METRICS())` for metric math. */
function describeMetric(metric: AlarmMetric, named: boolean): string {
  const prefix = named && metric.id ? `${metric.id} = ` : '';
  if (metric.expression) return `${prefix}${metric.expression}${metric.label ? ` (${metric.label})` : ''}`;
  const period = metric.period === undefined ? undefined : metric.period % 60 === 0 ? `${metric.period / 60} min` : `${metric.period} s`;
  const what = [metric.namespace, metric.name].filter(Boolean).join(' ');
  return prefix + [what, metric.stat, period].filter(Boolean).join(' · ');
}

function metricFields(alarm: CloudWatchAlarm): Field[] {
  const fields: Field[] = [];
  if (alarm.metrics.length === 1) fields.push({ name: 'Metric', value: describeMetric(alarm.metrics[0]!, false) });
  if (alarm.metrics.length > 1) {
    fields.push({ name: 'Metrics', value: alarm.metrics.map((metric) => describeMetric(metric, true)).join('\n') });
  }
  const dimensions = [...new Set(alarm.metrics.flatMap((m) => Object.entries(m.dimensions).map(([k, v]) => `${k}=${v}`)))];
  if (dimensions.length > 0) fields.push({ name: 'Dimensions', value: dimensions.join(', ') });
  return fields;
}

/** `OK → ALARM at 2019-10-02 17:04 UTC` */
function changedField(alarm: CloudWatchAlarm): Field[] {
  const at = formatTime(alarm.changedAt);
  const from = alarm.previousState ? `${alarm.previousState} → ${alarm.state}` : alarm.state;
  return [{ name: 'Changed', value: at ? `${from} at ${at}` : from }];
}

/** The alarm's page in the console; only where the region code is known. */
function alarmUrl(name: string, region: string | undefined): string | undefined {
  return consoleUrl(region, 'cloudwatch/home', `alarmsV2:alarm/${encodeURIComponent(name)}`);
}

/** A composite alarm's children, one line each with its own state and link. */
function childItems(alarm: CloudWatchAlarm): Item[] {
  return alarm.children.map((child) => {
    const arn = parseArn(child.arn);
    const name = arn?.resource.replace(/^alarm:/, '') ?? child.arn;
    const status = (child.state && ownEntry<Status>(LOOKS, child.state)) || 'info';
    const senderStatus = senderStatusOf(child.state, status);
    return { status, senderStatus, title: name, fields: [], links: linkIf('Alarm', alarmUrl(name, arn?.region)) };
  });
}

/** The identity of one state change: the same transition keys alike whichever shape (and road) brought it. */
function alarmIdentity(alarm: CloudWatchAlarm): string {
  return alarm.arn ?? `${alarm.account ?? ''}:${alarm.name}`;
}

export const cloudwatch = defineSource<CloudWatch>({
  name: 'cloudwatch',
  schema: CloudWatchSchema,
  event: {
    matches: (event) =>
      isEventBridge(event, 'aws.cloudwatch', [STATE_CHANGE, CONFIGURATION_CHANGE]) ||
      (isRecord(event) && event.source === 'aws.cloudwatch' && isRecord(event.alarmData)) ||
      (isRecord(event) && typeof event.AlarmName === 'string' && typeof event.NewStateValue === 'string'),
  },
  deliveryKey: (event) =>
    event.kind === 'ignored'
      ? hashedKey('cloudwatch', [event.id])
      : hashedKey('cloudwatch', [alarmIdentity(event), event.state, event.changedAt]),
  toMessages: (event) => {
    if (event.kind === 'ignored') return [];
    const alarm = event;
    return [
      chatMessage({
        source: 'cloudwatch',
        status: LOOKS[alarm.state],
        senderStatus: senderStatusOf(alarm.state, LOOKS[alarm.state]),
        title: alarm.name,
        summary: alarm.reason,
        fields: [
          ...(alarm.description ? [{ name: 'Description', value: alarm.description }] : []),
          ...metricFields(alarm),
          ...thresholdField(alarm),
          ...(alarm.recentDatapoints.length > 0
            ? [{ name: 'Datapoints', value: alarm.recentDatapoints.map(readable).join(', ') }]
            : []),
          ...(alarm.rule ? [{ name: 'Rule', value: alarm.rule }] : []),
          ...(alarm.actionsSuppressed ? [{ name: 'Actions suppressed', value: alarm.actionsSuppressed }] : []),
          ...changedField(alarm),
          ...accountField(alarm.account, alarm.region),
        ],
        links: linkIf('Alarm', alarmUrl(alarm.name, alarm.region)),
        items: childItems(alarm),
        groupKey: `cloudwatch:${alarmIdentity(alarm)}`,
      }),
    ];
  },
});

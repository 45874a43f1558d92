/**
 * The Alertmanager webhook shape, shared by the `alertmanager` and `grafana` sources (Grafana's contact point sends
 * the same group, with a few fields of its own). Not a source itself.
 */
import * as v from 'valibot';
import { findS3References } from '../model/s3-reference';
import { durationBetween, formatTime } from '../render/format';
import { chatMessage, linkIf, type ChatMessage, type Field, type Item, type Link } from '../model/message';
import { knownFacts } from '../model/facts';
import { hashedKey, stableJson } from './delivery-key';

const Labels = v.record(v.string(), v.string());

export const AlertEntries = {
  status: v.picklist(['firing', 'resolved']),
  labels: Labels,
  annotations: v.optional(Labels, {}),
  startsAt: v.optional(v.string()),
  endsAt: v.optional(v.string()),
  generatorURL: v.optional(v.string()),
  // Alertmanager before 0.19 sent no fingerprint.
  fingerprint: v.optional(v.string()),
};

export const AlertGroupEntries = {
  version: v.optional(v.string()),
  groupKey: v.string(),
  truncatedAlerts: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  status: v.picklist(['firing', 'resolved']),
  receiver: v.string(),
  groupLabels: v.optional(Labels, {}),
  commonLabels: v.optional(Labels, {}),
  commonAnnotations: v.optional(Labels, {}),
  externalURL: v.optional(v.string()),
};

type Alert = v.InferOutput<v.ObjectSchema<typeof AlertEntries, undefined>>;
type AlertGroup<A extends Alert> = v.InferOutput<v.ObjectSchema<typeof AlertGroupEntries, undefined>> & {
  alerts: A[];
};

/** Labels shown in the headline or title, so not repeated as fields. */
const HEADLINE_LABELS = new Set(['alertname', 'severity']);
/** Annotations that become links rather than text. */
const LINK_ANNOTATIONS: ReadonlyArray<[string, string]> = [
  ['runbook_url', 'Runbook'],
  ['runbook', 'Runbook'],
  ['dashboard_url', 'Dashboard'],
  ['dashboard', 'Dashboard'],
];

/** Enough files for any alert that means it; an annotation listing a whole bucket should not upload it. */
const MAX_REFERENCED_OBJECTS = 5;

/**
 * S3 objects named in annotations (`s3://bucket/key`, S3 HTTPS URLs: a heap dump, a report, a graph), to be attached.
 * Whether the bucket may be read is decided at delivery, against the team's allowlist; a refusal becomes a note.
 */
function referencedObjects(...annotations: Record<string, string>[]): ChatMessage['attachments'] {
  const seen = new Set<string>();
  return annotations
    .flatMap((set) => Object.values(set))
    .flatMap(findS3References)
    .filter((ref) => {
      const id = `${ref.bucket}/${ref.key}#${ref.versionId ?? ''}`;
      return seen.has(id) ? false : (seen.add(id), true);
    })
    .slice(0, MAX_REFERENCED_OBJECTS)
    .map((ref) => ({ kind: 's3' as const, ...ref }));
}

/** The delivery key: the group, its status and each alert's identity and state, so a repeat of the same state is one post. */
export function alertGroupKey<A extends Alert>(source: string, group: AlertGroup<A>): string {
  const alerts = group.alerts
    .map((alert) => `${alert.fingerprint ?? stableJson(alert.labels)}|${alert.status}|${alert.startsAt ?? ''}|${alert.endsAt ?? ''}`)
    .sort();
  return hashedKey(source, [group.receiver, group.groupKey, group.status, ...alerts]);
}

/** The annotations that hold an alert's text, by convention, most telling first. */
const TEXT_ANNOTATIONS = ['summary', 'message', 'description'] as const;

/**
 * An alert's (or a group's) text: by default its most telling annotation, the others being shown as fields; with
 * `whole`, all of them (`summary`, then `message` and `description`) one after another, as the rule's author wrote
 * them. `except` leaves out those the group already says.
 */
function textOf(annotations: Record<string, string>, whole: boolean, except: readonly string[] = []): string | undefined {
  const texts = TEXT_ANNOTATIONS.map((name) => annotations[name]).filter(
    (text, index, all): text is string => !!text && !except.includes(text) && all.indexOf(text) === index,
  );
  return (whole ? texts.join('\n') : texts[0]) || undefined;
}

function annotationLinks(annotations: Record<string, string>): Link[] {
  const seen = new Set<string>();
  return LINK_ANNOTATIONS.flatMap(([key, label]) => {
    if (seen.has(label)) return [];
    const link = linkIf(label, annotations[key]);
    if (link.length > 0) seen.add(label);
    return link;
  });
}

function labelFields(labels: Record<string, string>, hidden: ReadonlySet<string> = HEADLINE_LABELS): Field[] {
  return Object.entries(labels)
    .filter(([name]) => !hidden.has(name))
    .map(([name, value]) => ({ name, value }));
}

/** The other annotations worth reading, once the text has been taken (`whole`: all the text annotations). */
function annotationFields(annotations: Record<string, string>, summary: string | undefined, whole: boolean): Field[] {
  const skip = new Set([...(whole ? TEXT_ANNOTATIONS : ['summary', 'message']), ...LINK_ANNOTATIONS.map(([key]) => key)]);
  return Object.entries(annotations)
    .filter(([name, value]) => !skip.has(name) && value !== summary && value !== '')
    .map(([name, value]) => ({ name, value }));
}

/** Alertmanager's silence form, pre-filled with these labels. */
function silenceLink(externalURL: string | undefined, labels: Record<string, string>): Link[] {
  if (!externalURL || Object.keys(labels).length === 0) return [];
  const matchers = Object.entries(labels).map(([name, value]) => `${name}=${JSON.stringify(value)}`);
  const base = externalURL.replace(/\/+$/, '');
  return linkIf('Silence', `${base}/#/silences/new?filter=${encodeURIComponent(`{${matchers.join(',')}}`)}`);
}

function timeFields(alert: Alert): Field[] {
  const fields: Field[] = [];
  const started = formatTime(alert.startsAt);
  if (started) fields.push({ name: 'Started', value: started });
  if (alert.status === 'resolved') {
    const lasted = durationBetween(alert.startsAt, alert.endsAt);
    if (lasted) fields.push({ name: 'Lasted', value: lasted });
  }
  return fields;
}

/** What a sender adds to each alert on top of the Alertmanager fields (Grafana's dashboard and panel links, its image). */
export interface AlertExtras {
  readonly fields?: Field[];
  readonly links?: Link[];
  readonly attachments?: ChatMessage['attachments'];
}

function titleOf<A extends Alert>(group: AlertGroup<A>): string {
  const names = [...new Set(group.alerts.map((alert) => alert.labels.alertname).filter((n): n is string => !!n))];
  if (group.commonLabels.alertname) return group.commonLabels.alertname;
  if (names.length === 0) return group.receiver;
  return names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} +${names.length - 3}`;
}

function countField<A extends Alert>(alerts: A[]): Field[] {
  if (alerts.length < 2) return [];
  const firing = alerts.filter((alert) => alert.status === 'firing').length;
  const parts = [firing > 0 ? `${firing} firing` : '', alerts.length - firing > 0 ? `${alerts.length - firing} resolved` : ''];
  return [{ name: 'Alerts', value: parts.filter(Boolean).join(', ') }];
}

/** How a sender's group differs in presentation. */
export interface AlertGroupStyle<A extends Alert> {
  /** Link label for the sender's `externalURL`. */
  readonly home: string;
  /** Build Alertmanager silence links from labels (Grafana sends its own `silenceURL` per alert instead). */
  readonly silenceFromLabels: boolean;
  readonly extras?: (alert: A) => AlertExtras;
  /**
   * The sender's own words, where the team asked for them: its templated title and text (Grafana's `title` and
   * `message`), or (`annotations: 'whole'`) the whole text of the annotations the alert rules template (`summary`,
   * `message`, `description`), rather than the relay's pick of one. Empty values are not taken.
   */
  readonly senderText?: { readonly title?: string; readonly text?: string; readonly annotations?: 'whole' };
}

/**
 * One message per group: common labels once, then one line per alert with its own status (a `firing` group can
 * hold resolved alerts). A group of one alert is told in the head alone, without a list.
 */
export function alertGroupMessage<A extends Alert>(source: string, group: AlertGroup<A>, style: AlertGroupStyle<A>): ChatMessage {
  const extras = style.extras ?? ((): AlertExtras => ({}));
  const silence = (labels: Record<string, string>, status: string): Link[] =>
    style.silenceFromLabels && status === 'firing' ? silenceLink(group.externalURL, labels) : [];
  const common = group.commonLabels;
  const whole = style.senderText?.annotations === 'whole';
  const said = { title: style.senderText?.title?.trim() || undefined, text: style.senderText?.text?.trim() || undefined };
  const base = {
    source,
    status: group.status,
    title: said.title ?? titleOf(group),
    severity: common.severity,
    omitted: group.truncatedAlerts || undefined,
    groupKey: `${source}:${group.receiver}:${group.groupKey}`,
  } as const;

  const only = group.alerts.length === 1 ? group.alerts[0] : undefined;
  if (only) {
    const extra = extras(only);
    const summary = textOf(only.annotations, whole);
    return chatMessage({
      ...base,
      status: only.status,
      severity: only.labels.severity ?? base.severity,
      title: said.title ?? only.labels.alertname ?? base.title,
      summary: said.text ?? summary,
      fields: [
        ...labelFields(only.labels),
        ...annotationFields(only.annotations, summary, whole),
        ...timeFields(only),
        ...(extra.fields ?? []),
      ],
      links: [
        ...annotationLinks(only.annotations),
        ...(extra.links ?? []),
        ...linkIf('Source', only.generatorURL),
        ...silence(only.labels, only.status),
      ],
      attachments: [...(extra.attachments ?? []), ...referencedObjects(only.annotations)],
      facts: knownFacts({ labels: only.labels, annotations: only.annotations }),
    });
  }

  const items: Item[] = [];
  const attachments: ChatMessage['attachments'] = [];
  for (const alert of group.alerts) {
    const extra = extras(alert);
    // Labels the group shares are shown once above; the alert name is the item's title.
    const hidden = new Set(['alertname', ...Object.keys(common)]);
    const ownAnnotations = Object.fromEntries(
      Object.entries(alert.annotations).filter(([name, value]) => group.commonAnnotations[name] !== value),
    );
    items.push({
      status: alert.status,
      title: alert.labels.alertname ?? base.title,
      summary: textOf(alert.annotations, whole, Object.values(group.commonAnnotations)),
      fields: [...labelFields(alert.labels, hidden), ...(extra.fields ?? [])],
      links: [...annotationLinks(ownAnnotations), ...(extra.links ?? []), ...linkIf('Source', alert.generatorURL)],
    });
    attachments.push(...(extra.attachments ?? []));
  }
  const summary = textOf(group.commonAnnotations, whole);
  return chatMessage({
    ...base,
    summary: said.text ?? summary,
    fields: [...countField(group.alerts), ...labelFields(common), ...annotationFields(group.commonAnnotations, summary, whole)],
    links: [
      ...annotationLinks(group.commonAnnotations),
      ...silence(common, group.status),
      ...linkIf(style.home, group.externalURL),
    ],
    items,
    attachments: [...attachments, ...referencedObjects(group.commonAnnotations, ...group.alerts.map((alert) => alert.annotations))],
    // What every alert of the group has: a rule about a label then holds for the whole message.
    facts: knownFacts({ labels: common, annotations: group.commonAnnotations }),
  });
}

/** Grafana unified alerting webhook contact point (payload version 1): an Alertmanager group plus Grafana's own fields. */
import * as v from 'valibot';
import { linkIf, type Field } from '../model/message';
import { AlertEntries, AlertGroupEntries, alertGroupKey, alertGroupMessage } from './alert-group';
import { verifySharedSecret } from './shared-secret';
import { defineSource } from './source';

export const GrafanaAlertSchema = v.object({
  ...AlertEntries,
  silenceURL: v.optional(v.string()),
  dashboardURL: v.optional(v.string()),
  panelURL: v.optional(v.string()),
  imageURL: v.optional(v.string()),
  /**
   * The evaluated expressions (`{"A": 2473545728, "B": 0}`): numbers, as Grafana sends them. Other plain values are
   * shown as they are; an object or a list is refused, naming it, rather than shown as `[object Object]` (or, with
   * a `toString` key of its own, not shown at all: converting it to text throws).
   */
  values: v.optional(
    v.nullable(
      v.record(
        v.string(),
        v.union([v.number(), v.string(), v.boolean(), v.null()], 'must be a number (the value of an expression)'),
      ),
    ),
  ),
  valueString: v.optional(v.string()),
});
export type GrafanaAlert = v.InferOutput<typeof GrafanaAlertSchema>;

export const GrafanaSchema = v.object({
  ...AlertGroupEntries,
  alerts: v.pipe(v.array(GrafanaAlertSchema), v.minLength(1, 'an alert group has at least one alert')),
  orgId: v.optional(v.number()),
  state: v.optional(v.string()),
  /** The contact point's Title and Message, its templates applied (Grafana's defaults when the team set none). */
  title: v.optional(v.string()),
  message: v.optional(v.string()),
});
export type Grafana = v.InferOutput<typeof GrafanaSchema>;

/** What a team may set for Grafana (`sourceSettings.grafana`). */
export const GrafanaSettingsSchema = v.strictObject({
  /**
   * Take the contact point's own `title` and `message` (what its Title and Message templates made) as the message's
   * title and text, instead of the relay's. Worth it once the team has templated them: Grafana's defaults repeat the
   * labels and links the message lists anyway.
   */
  useSenderText: v.optional(v.boolean(), false),
});
export type GrafanaSettings = v.InferOutput<typeof GrafanaSettingsSchema>;

/**
 * How `POST /hooks` tells a Grafana group from an Alertmanager one of the same shape: webhook format version 1, or the
 * fields only Grafana adds (`orgId`, `state`).
 */
const GrafanaShape = v.object({
  groupKey: v.string(),
  alerts: v.array(v.unknown()),
  version: v.optional(v.string()),
  orgId: v.optional(v.number()),
  state: v.optional(v.string()),
});
const isGrafana = (body: unknown): boolean =>
  v.is(GrafanaShape, body) && (body.version === '1' || body.orgId !== undefined || body.state !== undefined);

/** `{"A": 2473545728, "B": 0}` → `A=2473545728, B=0`: the evaluated values, compact. */
function valuesField(alert: GrafanaAlert): Field[] {
  const values = Object.entries(alert.values ?? {});
  if (values.length === 0) return [];
  return [{ name: 'Values', value: values.map(([name, value]) => `${name}=${String(value)}`).join(', ') }];
}

/** `imageURL` is both a link and, when its host is allow-listed, an attached panel screenshot. */
function extras(alert: GrafanaAlert) {
  const image = linkIf('Image', alert.imageURL);
  return {
    fields: valuesField(alert),
    links: [
      ...linkIf('Dashboard', alert.dashboardURL),
      ...linkIf('Panel', alert.panelURL),
      ...image,
      ...(alert.status === 'firing' ? linkIf('Silence', alert.silenceURL) : []),
    ],
    attachments: image.map((link) => ({ kind: 'url' as const, url: link.url, accept: 'image/' })),
  };
}

export const grafana = defineSource<Grafana, GrafanaSettings>({
  name: 'grafana',
  schema: GrafanaSchema,
  settings: GrafanaSettingsSchema,
  webhook: { contentTypes: ['application/json'], verifyHeaders: verifySharedSecret, detect: (_request, body) => isGrafana(body) },
  deliveryKey: (group) => alertGroupKey('grafana', group),
  toMessages: (group, settings) => [
    alertGroupMessage('grafana', group, {
      home: 'Grafana',
      silenceFromLabels: false,
      extras,
      senderText: settings.useSenderText ? { title: group.title, text: group.message } : undefined,
    }),
  ],
});

/** Prometheus Alertmanager `webhook_configs` (payload version 4). */
import * as v from 'valibot';
import { AlertEntries, AlertGroupEntries, alertGroupKey, alertGroupMessage } from './alert-group';
import { verifySharedSecret } from './shared-secret';
import { defineSource } from './source';

export const AlertmanagerAlertSchema = v.object(AlertEntries);
export const AlertmanagerSchema = v.object({
  ...AlertGroupEntries,
  alerts: v.pipe(v.array(AlertmanagerAlertSchema), v.minLength(1, 'an alert group has at least one alert')),
});
export type Alertmanager = v.InferOutput<typeof AlertmanagerSchema>;

/** What a team may set for Alertmanager (`sourceSettings.alertmanager`). */
export const AlertmanagerSettingsSchema = v.strictObject({
  /**
   * Take the alert rules' own words as the text: `summary`, `message` and `description` one after another, as their
   * templates wrote them, instead of the most telling one with the others as fields. (The webhook carries no text of
   * Alertmanager's own: its notification templates are not applied to it.)
   */
  useSenderText: v.optional(v.boolean(), false),
});
export type AlertmanagerSettings = v.InferOutput<typeof AlertmanagerSettingsSchema>;

/** How `POST /hooks` tells an Alertmanager group: its webhook format is version 4 (Grafana's is version 1). */
const AlertmanagerShape = v.object({ version: v.literal('4'), groupKey: v.string(), alerts: v.array(v.unknown()) });

export const alertmanager = defineSource<Alertmanager, AlertmanagerSettings>({
  name: 'alertmanager',
  schema: AlertmanagerSchema,
  settings: AlertmanagerSettingsSchema,
  webhook: {
    contentTypes: ['application/json'],
    verifyHeaders: verifySharedSecret,
    detect: (_request, body) => v.is(AlertmanagerShape, body),
  },
  deliveryKey: (group) => alertGroupKey('alertmanager', group),
  toMessages: (group, settings) => [
    alertGroupMessage('alertmanager', group, {
      home: 'Alertmanager',
      silenceFromLabels: true,
      senderText: settings.useSenderText ? { annotations: 'whole' } : undefined,
    }),
  ],
});

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

/** How `POST /hooks` tells an Alertmanager group: its webhook format is version 4 (Grafana's is version 1). */
const AlertmanagerShape = v.object({ version: v.literal('4'), groupKey: v.string(), alerts: v.array(v.unknown()) });

export const alertmanager = defineSource<Alertmanager>({
  name: 'alertmanager',
  schema: AlertmanagerSchema,
  webhook: {
    contentTypes: ['application/json'],
    verifyHeaders: verifySharedSecret,
    detect: (_request, body) => v.is(AlertmanagerShape, body),
  },
  deliveryKey: (group) => alertGroupKey('alertmanager', group),
  toMessages: (group) => [alertGroupMessage('alertmanager', group, { home: 'Alertmanager', silenceFromLabels: true })],
});

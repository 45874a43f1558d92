/** A huge Alertmanager group, grown from a real capture: what an outage across a fleet sends in one notification. */
import { fixtureJson } from './fixtures';

interface CapturedAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  fingerprint?: string;
  [field: string]: unknown;
}

/**
 * The captured three-alert group (`resolved_three_alerts_capture.json`, Alertmanager 0.24), grouped by job, with its
 * alerts repeated for one host after another — every third resolved, the rest firing, as a group is when some hosts came back — until
 * the body is as close to `bytes` as a whole alert allows. Each alert keeps its shape; its instance, description,
 * summary and fingerprint name its own host.
 */
export function hugeAlertGroup(bytes: number): { body: string; alerts: CapturedAlert[] } {
  const capture = fixtureJson<{ status: string; alerts: CapturedAlert[]; [field: string]: unknown }>('alertmanager', 'resolved_three_alerts_capture.json');
  const alerts: CapturedAlert[] = [];
  // Grouped by job rather than by instance, as a fleet-wide group is: only what all alerts share is common.
  const group = {
    ...capture,
    status: 'firing',
    groupLabels: { job: 'host' },
    commonLabels: { alertname: 'instance-down', job: 'host' },
    commonAnnotations: {},
    groupKey: '{}/{job=~"dcagent|host"}:{job="host"}',
    truncatedAlerts: 0,
  };
  const render = (): string => JSON.stringify({ ...group, alerts });
  let size = Buffer.byteLength(render());
  for (let n = 0; ; n += 1) {
    const template = capture.alerts[n % capture.alerts.length]!;
    const host = `10.3.${Math.floor(n / 250) % 256}.${n % 250}:9100`;
    const alert: CapturedAlert = {
      ...template,
      status: n % 3 === 2 ? 'resolved' : 'firing',
      labels: { ...template.labels, instance: host },
      annotations: {
        description: `${host} of job host has been down for more than 10 minutes.`,
        summary: `Instance ${host} down`,
      },
      fingerprint: n.toString(16).padStart(16, '0'),
    };
    const grown = size + Buffer.byteLength(JSON.stringify(alert)) + 1;
    if (grown > bytes) break;
    alerts.push(alert);
    size = grown;
  }
  return { body: render(), alerts };
}

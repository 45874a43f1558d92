/**
 * A real Slack sender: Debian's Prometheus Alertmanager with a `slack_configs` receiver whose `api_url` is the relay's
 * Slack route, the inbound secret as the URL's last segment (all a Slack incoming-webhook URL can carry). A firing
 * alert and its resolve must show up in the Spaces stand-in as Slack would show them, formatting and all.
 */
import { FAST_QUEUE } from '../support/relay';
import { FAST_ROUTE, startAlertmanager, waitFor, type RunningAlertmanager } from '../support/alertmanager';
import { startLocalRelay, type LocalRelay } from '../../lambda/local/server';

const TOKEN = 'e2e-slack-webhook-token';

function configYaml(relayUrl: string): string {
  return `${FAST_ROUTE}receivers:
  - name: relay
    slack_configs:
      - api_url: ${relayUrl}/hooks/slack/default/${TOKEN}
        send_resolved: true
        text: |-
          {{ range .Alerts }}*{{ .Annotations.summary }}* :fire:
          > {{ .Annotations.description }}
          {{ end }}
        fields:
          - title: Severity
            value: '{{ .CommonLabels.severity }}'
            short: true
        actions:
          - type: button
            text: 'Runbook :blue_book:'
            url: 'https://runbooks.example.com/disk'
`;
}

describe('Alertmanager slack_configs → relay → Spaces stand-in', () => {
  let relay: LocalRelay | undefined;
  let alertmanager: RunningAlertmanager | undefined;

  afterEach(async () => {
    await alertmanager?.stop();
    await relay?.close();
  });

  it('posts the firing alert and then its resolve, each formatted as Slack would show it', async () => {
    // Prepare
    relay = await startLocalRelay({ port: 0, webhookToken: TOKEN, queue: FAST_QUEUE, settings: { CHANNELS: JSON.stringify({ default: 'ops-space' }) } });
    alertmanager = await startAlertmanager(configYaml(relay.url));
    const startsAt = new Date(Date.now() - 60_000).toISOString();
    const alert = (endsAt?: string) => [
      {
        labels: { alertname: 'DiskAlmostFull', severity: 'critical', instance: 'db-1' },
        annotations: { summary: 'Disk on db-1 is 95% full', description: 'Only 5% of "/data" & logs left' },
        startsAt,
        ...(endsAt ? { endsAt } : {}),
      },
    ];
    const standIn = relay.standIn!;

    // Act: fire, wait for the post, resolve.
    await alertmanager.send(alert());
    const firing = await waitFor('the firing message', () => standIn.messages.find((m) => m.bodyText.includes('🔥 FIRING')));
    await alertmanager.send(alert(new Date(Date.now() - 1_000).toISOString()));
    const resolved = await waitFor('the resolved message', () => standIn.messages.find((m) => m.bodyText.includes('✅ RESOLVED')));
    await relay.queue.idle();

    // Assess
    expect(firing.bodyText).toContain('[FIRING:1] DiskAlmostFull (db-1 critical)');
    expect(firing.bodyText).toContain('<p><b>Disk on db-1 is 95% full</b> 🔥</p><blockquote>Only 5% of &quot;/data&quot; &amp; logs left</blockquote>');
    expect(firing.bodyText).toContain('<a href="https://runbooks.example.com/disk">Runbook 📘</a>');
    expect(firing.bodyText).toContain('<b>Severity</b>: critical');
    expect(resolved.bodyText).toContain('[RESOLVED] DiskAlmostFull (db-1 critical)');
    expect(standIn.messages).toHaveLength(2);
    expect(relay.queue.deadLetters).toEqual([]);
  }, 30_000);
});

/**
 * A real sender: Debian's Prometheus Alertmanager delivers to the local relay with its bearer token; alerts fired and
 * resolved through its API v2 must show up in the Spaces stand-in as one firing message, edited to resolved, plus a
 * short resolved message.
 */
import { FAST_QUEUE } from '../support/relay';
import { FAST_ROUTE, startAlertmanager, waitFor, type RunningAlertmanager } from '../support/alertmanager';
import { startLocalRelay, type LocalRelay } from '../../lambda/local/server';

const TOKEN = 'e2e-webhook-token';

function configYaml(relayUrl: string): string {
  return `${FAST_ROUTE}receivers:
  - name: relay
    webhook_configs:
      - url: ${relayUrl}/hooks/alertmanager
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials: ${TOKEN}
`;
}

describe('Alertmanager → relay → Spaces stand-in', () => {
  let relay: LocalRelay | undefined;
  let alertmanager: RunningAlertmanager | undefined;

  afterEach(async () => {
    await alertmanager?.stop();
    await relay?.close();
  });

  it('posts the firing group once, then edits it to resolved and posts a short resolved message', async () => {
    // Prepare
    relay = await startLocalRelay({ port: 0, webhookToken: TOKEN, queue: FAST_QUEUE, settings: { CHANNELS: JSON.stringify({ default: 'ops-space' }) } });
    alertmanager = await startAlertmanager(configYaml(relay.url));
    const startsAt = new Date(Date.now() - 60_000).toISOString();
    const alerts = (endsAt?: string) =>
      ['db-1', 'db-2'].map((instance) => ({
        labels: { alertname: 'DiskAlmostFull', severity: 'critical', instance },
        annotations: { summary: `Disk on ${instance} is 95% full` },
        startsAt,
        ...(endsAt ? { endsAt } : {}),
      }));
    const send = (body: unknown): Promise<void> => alertmanager!.send(body);
    const standIn = relay.standIn!;

    // Act: fire, wait for the post, resolve.
    await send(alerts());
    const firing = await waitFor('the firing message', () => standIn.messages.find((m) => m.bodyText.includes('FIRING')));
    await send(alerts(new Date(Date.now() - 1_000).toISOString()));
    const resolvedPost = await waitFor('the resolved message', () => standIn.messages.find((m) => m !== firing && m.bodyText.includes('RESOLVED')));
    await relay.queue.idle();

    // Assess
    expect(firing.bodyText).toContain('DiskAlmostFull');
    expect(firing.edits).toBe(1);
    expect(firing.bodyText).toContain('✅ RESOLVED');
    expect(firing.bodyText).toContain('db-2');
    expect(resolvedPost.bodyText).toContain('2 resolved');
    expect(standIn.messages).toHaveLength(2);
    expect(relay.queue.deadLetters).toEqual([]);
  }, 30_000);
});

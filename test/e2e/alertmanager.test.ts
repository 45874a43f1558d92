/**
 * A real sender: Debian's Prometheus Alertmanager delivers to the local relay with its bearer token; alerts fired and
 * resolved through its API v2 must show up in the Spaces stand-in as one firing message, edited to resolved, plus a
 * short resolved message.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FAST_QUEUE } from '../support/relay';
import { startLocalRelay, type LocalRelay } from '../../lambda/local/server';

const ALERTMANAGER = '/usr/bin/prometheus-alertmanager';
const TOKEN = 'e2e-webhook-token';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

function configYaml(relayUrl: string): string {
  return `route:
  receiver: relay
  group_by: ['alertname']
  group_wait: 500ms
  group_interval: 1s
  repeat_interval: 1h
receivers:
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
  let alertmanager: ChildProcess | undefined;
  let dir: string | undefined;

  afterEach(async () => {
    alertmanager?.kill('SIGTERM');
    await relay?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('posts the firing group once, then edits it to resolved and posts a short resolved message', async () => {
    // Prepare
    if (!existsSync(ALERTMANAGER)) {
      throw new Error(
        `${ALERTMANAGER} is missing: install it with "apt-get update && apt-get install -y --no-install-recommends prometheus-alertmanager"`,
      );
    }
    relay = await startLocalRelay({ port: 0, webhookToken: TOKEN, queue: FAST_QUEUE, settings: { CHANNELS: JSON.stringify({ default: 'ops-space' }) } });
    dir = await mkdtemp(join(tmpdir(), 'alertmanager-e2e-'));
    await writeFile(join(dir, 'alertmanager.yml'), configYaml(relay.url));
    const port = await freePort();
    const api = `http://127.0.0.1:${port}/api/v2`;
    const output: string[] = [];
    alertmanager = spawn(
      ALERTMANAGER,
      [
        `--config.file=${join(dir, 'alertmanager.yml')}`,
        `--storage.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    alertmanager.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    alertmanager.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    await waitFor(`Alertmanager to be ready (${output.join('')})`, async () =>
      (await fetch(`http://127.0.0.1:${port}/-/ready`).catch(() => undefined))?.ok ? true : undefined,
    );
    const startsAt = new Date(Date.now() - 60_000).toISOString();
    const alerts = (endsAt?: string) =>
      ['db-1', 'db-2'].map((instance) => ({
        labels: { alertname: 'DiskAlmostFull', severity: 'critical', instance },
        annotations: { summary: `Disk on ${instance} is 95% full` },
        startsAt,
        ...(endsAt ? { endsAt } : {}),
      }));
    const send = async (body: unknown): Promise<void> => {
      const response = await fetch(`${api}/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(response.ok).toBe(true);
    };
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

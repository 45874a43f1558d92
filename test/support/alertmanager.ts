/**
 * Debian's Prometheus Alertmanager as a real sender for end-to-end tests: started on a free port with a given
 * configuration, fed alerts through its API v2, and stopped with its files removed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const ALERTMANAGER = '/usr/bin/prometheus-alertmanager';

/** The route every test uses: one group per alert name, sent within a second, then again on every change. */
export const FAST_ROUTE = `route:
  receiver: relay
  group_by: ['alertname']
  group_wait: 500ms
  group_interval: 1s
  repeat_interval: 1h
`;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The value `probe` gives once it gives one, or a failure naming `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** A running Alertmanager. */
export interface RunningAlertmanager {
  /** Posts alerts to its API v2 (`POST /api/v2/alerts`). */
  send(alerts: unknown): Promise<void>;
  /** Stops it and removes its files. */
  stop(): Promise<void>;
}

/** Starts Alertmanager with `config` (YAML) and waits until it is ready. */
export async function startAlertmanager(config: string): Promise<RunningAlertmanager> {
  if (!existsSync(ALERTMANAGER)) {
    throw new Error(
      `${ALERTMANAGER} is missing: install it with "apt-get update && apt-get install -y --no-install-recommends prometheus-alertmanager"`,
    );
  }
  const dir = await mkdtemp(join(tmpdir(), 'alertmanager-e2e-'));
  await writeFile(join(dir, 'alertmanager.yml'), config);
  const port = await freePort();
  const output: string[] = [];
  const child: ChildProcess = spawn(
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
  child.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    child.kill('SIGTERM');
    // Alertmanager writes its snapshot as it shuts down: removing its folder before it exits races with that write.
    if (child.exitCode === null && child.signalCode === null) await exited;
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(`Alertmanager to be ready (${output.join('')})`, async () =>
      (await fetch(`http://127.0.0.1:${port}/-/ready`).catch(() => undefined))?.ok ? true : undefined,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    send: async (alerts) => {
      const response = await fetch(`http://127.0.0.1:${port}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(alerts),
      });
      if (!response.ok) throw new Error(`Alertmanager refused the alerts: HTTP ${response.status} ${await response.text()}`);
    },
    stop,
  };
}

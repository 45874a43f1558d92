/** moto_server on a free loopback port, for tests of the AWS-facing code (SQS, CloudFormation, DynamoDB). */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Moto {
  readonly endpoint: string;
  /** Client options pointing at it, with dummy credentials. */
  readonly clientConfig: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  stop(): Promise<void>;
}

/** Starts moto_server; fails with how to get it when it is not installed (never skips). */
export async function startMoto(): Promise<Moto> {
  if (spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).error) {
    throw new Error('moto_server is not on PATH: it ships with the machine image (moto 5, `pip install "moto[server]"`)');
  }
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  while (!(await fetch(`${endpoint}/moto-api/`).then((r) => r.ok, () => false))) {
    if (Date.now() > deadline) throw new Error('moto_server did not start within 15 s');
    await sleep(100);
  }
  return {
    endpoint,
    clientConfig: { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } },
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

/**
 * Peak RSS of the upload path while it streams a generated 1 GiB file to a local sink. The upload runs in a child
 * process (this file, with `--child`) so that its peak RSS is its own; the sink runs here and counts the bytes.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpacesClient } from '../lambda/spaces/client';
import { textCredentials } from '../lambda/spaces/credentials';
import { generatedBody } from '../test/support/generated-body';

const SIZE = 1024 ** 3;


async function child(sinkUrl: string): Promise<void> {
  const client = new SpacesClient({ baseUrl: sinkUrl, credentials: textCredentials('unused') });
  const started = Date.now();
  await client.upload(
    { fileKey: 'bench', url: `${sinkUrl}/upload` },
    { contentType: 'application/octet-stream', size: SIZE, open: async () => generatedBody(SIZE) },
  );
  const seconds = (Date.now() - started) / 1000;
  process.stdout.write(JSON.stringify({ seconds, maxRssKb: process.resourceUsage().maxRSS }));
}

export async function uploadMemoryBenchmark(): Promise<void> {
  let received = 0;
  const sink = http.createServer((req, res) => {
    req.on('data', (chunk: Buffer) => (received += chunk.length));
    req.on('end', () => res.writeHead(200).end('{}'));
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
  try {
    const output = await new Promise<string>((resolve, reject) => {
      const proc = spawn(process.execPath, ['--import', 'tsx', __filename, '--child', url], { stdio: ['ignore', 'pipe', 'inherit'] });
      let text = '';
      proc.stdout.on('data', (d: Buffer) => (text += d.toString()));
      proc.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`upload child exited with ${code}`))));
    });
    const { seconds, maxRssKb } = JSON.parse(output) as { seconds: number; maxRssKb: number };
    const rssMb = maxRssKb / 1024;
    process.stdout.write(
      `upload: streamed ${(SIZE / 1024 ** 3).toFixed(0)} GiB to a local sink in ${seconds.toFixed(1)} s ` +
        `(${(SIZE / 1024 ** 2 / seconds).toFixed(0)} MiB/s); sink got ${received} bytes; ` +
        `peak RSS of the uploading process ${rssMb.toFixed(0)} MB (goal < 160 MB: ${rssMb < 160 ? 'met' : 'NOT met'})\n`,
    );
    if (received !== SIZE) throw new Error(`the sink received ${received} bytes, expected ${SIZE}`);
  } finally {
    sink.close();
  }
}

if (process.argv[2] === '--child') {
  child(process.argv[3]!).catch((error: Error) => {
    process.stderr.write(`${error.stack}\n`);
    process.exit(1);
  });
}

/**
 * A multi-hundred-MB upload goes through the real upload code at constant memory: its bytes all arrive, and the
 * uploading process grows by a small fraction of the body size (a buffering client would grow by the body or more).
 */
import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const BODY_BYTES = 300 * 1024 * 1024;
const run = promisify(execFile);

it('streams a 300 MB body with exact length and RSS growth far below the body size', async () => {
  // Prepare: a sink that counts what it receives and checks the declared length.
  let received = 0;
  let declared = -1;
  const sink = http.createServer((req, res) => {
    declared = Number(req.headers['content-length']);
    req.on('data', (chunk: Buffer) => (received += chunk.length));
    req.on('end', () => res.writeHead(received === declared ? 200 : 400).end());
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/upload`;

  try {
    // Act
    const { stdout } = await run(process.execPath, ['--import', 'tsx', join(__dirname, '..', 'support', 'upload-memory-child.ts')], {
      env: { ...process.env, UPLOAD_BYTES: String(BODY_BYTES), UPLOAD_URL: url },
      timeout: 60_000,
    });
    const { baselineKb, maxRssKb } = JSON.parse(stdout) as { baselineKb: number; maxRssKb: number };

    // Assess
    expect(declared).toBe(BODY_BYTES);
    expect(received).toBe(BODY_BYTES);
    const growthMb = (maxRssKb - baselineKb) / 1024;
    expect(growthMb).toBeLessThan(40);
  } finally {
    await new Promise((resolve) => sink.close(resolve));
  }
});

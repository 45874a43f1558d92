/**
 * S3 → Spaces relay of large objects: moto_server holds the objects, the Spaces stand-in (which checks the declared
 * length and type and hashes what arrives) is the sink, and each relay runs in a child process bundled like the
 * Lambda. Streaming (the real deliver path) is measured next to a naive buffer-then-PUT run of the same object.
 * Sizes: `BENCH_S3_SIZES_MB` (default `100,1024`).
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { build } from 'esbuild';
import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SpacesStandIn } from '../lambda/local/spaces-stand-in';
import { MOTO_CREDENTIALS, startMoto } from '../test/support/moto';
import { generatedBody } from '../test/support/generated-body';

const run = promisify(execFile);
const MB = 1024 * 1024;
const BUCKET = 'bench-objects';
const TOKEN = 'bench-token';


async function bundleChild(): Promise<string> {
  const outfile = join(__dirname, 'out', 's3-relay-child.js');
  await build({
    entryPoints: [join(__dirname, 's3-relay-child.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    mainFields: ['module', 'main'],
    minify: true,
    outfile,
    logLevel: 'error',
  });
  return outfile;
}

interface Measurement {
  readonly ms: number;
  readonly maxRssKb: number;
}

export async function s3RelayBenchmark(): Promise<void> {
  const sizes = (process.env.BENCH_S3_SIZES_MB ?? '100,1024').split(',').map((s) => Number(s.trim()) * MB);
  const child = await bundleChild();
  const moto = await startMoto();
  const standIn = new SpacesStandIn({ token: TOKEN, publicUrl: () => spacesUrl });
  const sink = http.createServer((req, res) => {
    void standIn.handle(req, res, new URL(req.url ?? '/', 'http://sink').pathname).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const spacesUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;

  try {
    await moto.createBucket(BUCKET);
    process.stdout.write(`node ${process.version}; child bundled with esbuild, run with plain node; sink: Spaces stand-in\n`);
    process.stdout.write('size      mode     peak RSS   time      throughput\n');
    for (const size of sizes) {
      const key = `object-${size / MB}MB.bin`;
      await moto.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: generatedBody(size), ContentLength: size }));
      const results: Record<string, Measurement> = {};
      for (const mode of ['stream', 'naive']) {
        const { stdout } = await run(process.execPath, [child], {
          env: {
            PATH: process.env.PATH,
            AWS_REGION: 'us-east-1',
            AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
            AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
            POWERTOOLS_LOG_LEVEL: 'WARN',
            BENCH_MODE: mode,
            BENCH_S3_ENDPOINT: moto.endpoint,
            BENCH_BUCKET: BUCKET,
            BENCH_KEY: key,
            BENCH_SIZE: String(size),
            BENCH_SPACES_URL: spacesUrl,
            BENCH_SPACES_TOKEN: TOKEN,
          },
          maxBuffer: 10 * MB,
        });
        const measured = JSON.parse(stdout.slice(stdout.lastIndexOf('{'))) as Measurement;
        const stored = [...standIn.files.values()].at(-1);
        if (stored?.receivedSize !== size) throw new Error(`${mode} ${key}: the sink received ${stored?.receivedSize} bytes, not ${size}`);
        results[mode] = measured;
        process.stdout.write(
          `${`${size / MB} MB`.padEnd(10)}${mode.padEnd(9)}${`${(measured.maxRssKb / 1024).toFixed(0)} MB`.padEnd(11)}` +
            `${`${(measured.ms / 1000).toFixed(1)} s`.padEnd(10)}${(size / MB / (measured.ms / 1000)).toFixed(0)} MB/s\n`,
        );
      }
      const ratio = results.naive!.maxRssKb / results.stream!.maxRssKb;
      process.stdout.write(`${`${size / MB} MB`.padEnd(10)}naive/stream peak RSS: ${ratio.toFixed(1)}×\n`);
    }
  } finally {
    sink.closeAllConnections();
    await new Promise((resolve) => sink.close(resolve));
    await moto.stop();
  }
}

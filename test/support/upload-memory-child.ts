/**
 * Child process of the constant-memory upload test: streams a generated body of `UPLOAD_BYTES` bytes through the
 * real `SpacesClient.upload` to `UPLOAD_URL`, then prints its RSS before and at its peak during the upload as JSON. Run in a process of its own so
 * that the peak RSS is this upload's, not the test runner's.
 */
import { SpacesClient } from '../../lambda/spaces/client';
import { textCredentials } from '../../lambda/spaces/credentials';
import { generatedBody } from './generated-body';

const size = Number(process.env.UPLOAD_BYTES);
const url = process.env.UPLOAD_URL!;


async function main(): Promise<void> {
  const client = new SpacesClient({ baseUrl: 'http://127.0.0.1:1', credentials: textCredentials('unused') });
  const baselineKb = Math.round(process.memoryUsage.rss() / 1024);
  // Sampled during the upload rather than read from maxRSS: the process peak includes start-up (tsx compiling the
  // sources when its cache is cold), which says nothing about the upload.
  let peakKb = baselineKb;
  const sampler = setInterval(() => (peakKb = Math.max(peakKb, Math.round(process.memoryUsage.rss() / 1024))), 2);
  await client.upload({ fileKey: 'k', url }, { contentType: 'application/octet-stream', size, open: async () => generatedBody(size) });
  clearInterval(sampler);
  process.stdout.write(JSON.stringify({ baselineKb, maxRssKb: peakKb }));
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});

/**
 * `npm run screenshot`: the README's picture of the local page (`docs/local-page.png`). It starts the local relay with
 * its stand-in, sends it a few real payloads — an alert group, a build, a Grafana alert with its panel image, an alert
 * that fires and then resolves (its message edited), a burst folded into a digest — renders a fixture in the try
 * panel, and photographs the page in headless Chromium.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { startLocalRelay, type LocalRelay } from '../lambda/local/server';
import { launchChromium, until } from './chromium';

const REPO = resolve(__dirname, '..');
const OUTPUT = join(REPO, 'docs', 'local-page.png');
const fixture = (folder: string, name: string): string => readFileSync(join(REPO, 'test', 'fixtures', folder, name), 'utf8');

/** A small bar chart, as a Grafana panel renders one. */
function panelImage(): Buffer {
  const [width, height] = [480, 200];
  const png = new PNG({ width, height });
  const bars = [40, 55, 48, 70, 95, 160, 150, 120, 80, 60, 52, 45];
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const bar = bars[Math.floor(x / (width / bars.length))]!;
      const inBar = height - y <= bar && x % (width / bars.length) > 6;
      const i = (y * width + x) * 4;
      [png.data[i], png.data[i + 1], png.data[i + 2], png.data[i + 3]] = inBar ? (bar > 100 ? [228, 80, 60, 255] : [80, 150, 230, 255]) : [24, 27, 31, 255];
    }
  }
  return PNG.sync.write(png, { filterType: 0 });
}

/** Serves the panel image, as a Grafana renderer would. */
async function imageHost(image: Buffer): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'image/png', 'content-length': image.length });
    res.end(image);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, close: () => new Promise((done) => server.close(() => done())) };
}

async function send(relay: LocalRelay, source: string, body: string, headers: Record<string, string> = {}): Promise<void> {
  const response = await fetch(`${relay.url}/hooks/${source}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  if (response.status !== 202) throw new Error(`${source}: ${response.status} ${await response.text()}`);
  await relay.queue.idle();
}

async function main(): Promise<void> {
  const images = await imageHost(panelImage());
  // A low digest threshold so that a burst of four shows as the digest a storm of twenty would make.
  const relay = await startLocalRelay({ port: 0, settings: { ATTACHMENT_URL_HOSTS: images.url, DIGEST_THRESHOLD: '4' } });
  const browser = await launchChromium({ viewport: { width: 860, height: 900 }, deviceScaleFactor: 1 });
  try {
    await send(relay, 'alertmanager', fixture('alertmanager', 'firing_single_alert_v4_legacy.json'));
    await send(relay, 'alertmanager', fixture('alertmanager', 'resolved_single_alert_v4_legacy.json'));
    const bodies = ['disk 91% on db-1', 'disk 93% on db-2', 'replication lag 40 s', 'backup took 2 h'];
    await Promise.all(bodies.map((text, n) => fetch(`${relay.url}/hooks/generic`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: text, text, status: n < 2 ? 'firing' : 'info' }) })));
    await relay.queue.idle();
    await send(relay, 'github', fixture('github', 'workflow_run_completed_success_with_prs.json'), { 'x-github-event': 'workflow_run' });
    const grafana = JSON.parse(fixture('grafana', 'firing_with_image_dashboard_panel_urls_zulip.json'));
    grafana.alerts[0].imageURL = `${images.url}/render/panel.png`;
    await send(relay, 'grafana', JSON.stringify(grafana));

    const page = await browser.context.newPage();
    await page.goto(`${relay.url}/stand-in/`);
    await page.locator('select[name=fixture]').selectOption('codebuild/build_state_change_failed_functionci.json');
    await until(async () => (await page.locator('textarea[name=body]').inputValue()).length > 0, 'the fixture in the panel');
    await page.locator('#try-form button').click();
    await page.frameLocator('#try-result iframe.body').locator('body', { hasText: 'FAILED' }).waitFor();
    const image = page.locator('#messages figure.image img');
    await until(async () => (await image.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)) > 0, 'the panel image');
    // The frames size themselves once loaded.
    await page.waitForTimeout(300);
    await page.screenshot({ path: OUTPUT, fullPage: true });
    process.stdout.write(`wrote ${OUTPUT}\n`);
  } finally {
    await browser.close();
    await relay.close();
    await images.close();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exitCode = 1;
});

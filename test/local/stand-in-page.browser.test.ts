/**
 * The local page in a real browser (Debian's Chromium, headless): what no HTML string test can show — that a message
 * posted after the page opened appears by itself, that nothing a bodyText holds runs or loads anything, that an
 * attached image actually displays, and that the try panel's script renders a fixture. One browser for the file.
 */
import type { Page, Response } from 'playwright-core';
import type { LocalRelay } from '../../lambda/local/server';
import { launchChromium, until, type Chromium } from '../../scripts/chromium';
import { fixtureJson } from '../support/fixtures';
import { imageServer } from '../support/image-server';
import { halfTransparentPng } from '../support/images';
import { sendHook, startTestRelay, WEBHOOK_TOKEN } from '../support/relay';

describe('the local page in a browser', () => {
  let browser: Chromium;
  let images: Awaited<ReturnType<typeof imageServer>>;
  let relay: LocalRelay;
  let page: Page;
  /** What the page fetched: a request blocked by a policy gets no response, and never leaves the browser. */
  const fetched: string[] = [];
  const dialogs: string[] = [];

  beforeAll(async () => {
    images = await imageServer(halfTransparentPng(640, 360));
    relay = await startTestRelay({ settings: { ATTACHMENT_URL_HOSTS: images.url } });
    browser = await launchChromium();
    page = await browser.context.newPage();
    page.on('response', (response: Response) => fetched.push(response.url()));
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto(`${relay.url}/stand-in/`);
  });

  afterAll(async () => {
    await browser?.close();
    await relay?.close();
    await images?.close();
  });

  /** The lines of a frame's text, once it holds `text`. */
  async function frameLines(selector: string, text: string): Promise<string[]> {
    const frame = page.frameLocator(selector);
    await frame.locator('body', { hasText: text }).waitFor({ timeout: 10_000 });
    return (await frame.locator('body').innerText()).split('\n').filter((line) => line !== '');
  }

  /** The lines of the newest message's first post, once it holds `text`. */
  const newestLines = (text: string): Promise<string[]> => frameLines('#messages article >> nth=0 >> iframe.body >> nth=0', text);

  it('shows a message posted after it opened, newest first', async () => {
    // Act
    await sendHook(relay, '/hooks/generic', { title: 'First', text: 'older' });
    await sendHook(relay, '/hooks/generic', { title: 'Deploy finished', text: 'payments v42 is live', status: 'success' });

    // Assess
    expect(await newestLines('Deploy finished')).toEqual(['✔️ SUCCEEDED · Deploy finished', 'payments v42 is live']);
    await expect(page.locator('#messages article').count()).resolves.toBe(2);
  });

  it('runs nothing and loads nothing that a bodyText holds', async () => {
    // Prepare: a payload that tries, and a bodyText the renderer would never write, as if it had let one through.
    const hostile = `<script>alert('script')</script><img src="${relay.url}/x-img" onerror="alert('img')">`;
    await sendHook(relay, '/hooks/generic', { title: 'Hostile', text: hostile });
    await relay.queue.idle();
    const before = fetched.length;
    relay.standIn!.messages.push({ _id: 'raw', spaceId: 'ops-space', created: new Date().toISOString(), edits: 0, data: [], bodyText: `<p>Raw</p>${hostile}<script>fetch('/x-fetch')</script>` });

    // Act
    const raw = await newestLines('Raw');

    // Assess
    expect(raw).toEqual(['Raw']);
    expect(await page.frameLocator('#messages article >> nth=1 >> iframe.body').locator('body').innerText()).toContain(hostile);
    await page.waitForTimeout(300);
    expect(dialogs).toEqual([]);
    expect(fetched.slice(before).filter((url) => !url.endsWith('/stand-in/cards'))).toEqual([]);
  });

  it('displays an attached image through its thumbnail', async () => {
    // Prepare
    const alert = fixtureJson('grafana', 'firing_with_image_dashboard_panel_urls_zulip.json');
    alert.alerts[0].imageURL = `${images.url}/render/panel.png`;

    // Act
    await sendHook(relay, '/hooks/grafana', alert);
    await newestLines('FIRING');

    // Assess
    const image = page.locator('#messages article >> nth=0 >> figure.image img');
    // Decoded, not just requested: a broken image completes too, with no width.
    await until(async () => (await image.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)) > 0, 'the image to decode');
    await expect(page.locator('#messages article >> nth=0 >> figcaption').innerText()).resolves.toMatch(/^panel\.png · [\d.]+ KB · thumbnail$/);
  });

  it('renders a fixture in the try panel without posting it', async () => {
    // Prepare
    const posted = relay.standIn!.messages.length;
    await page.locator('select[name=fixture]').selectOption('alertmanager/resolved_three_alerts_capture.json');
    // The panel fills the payload in from the fixture it fetches.
    await until(async () => (await page.locator('textarea[name=body]').inputValue()).includes('instance-down'), 'the fixture in the panel');
    await page.locator('input[name=token]').fill(WEBHOOK_TOKEN);

    // Act
    await page.locator('#try-form button').click();

    // Assess
    const lines = await frameLines('#try-result iframe.body', 'RESOLVED');
    expect(lines.slice(0, 2)).toEqual(['✅ RESOLVED · instance-down', 'Instance 10.3.205.79:9100 down']);
    expect(relay.standIn!.messages).toHaveLength(posted);
  });
});

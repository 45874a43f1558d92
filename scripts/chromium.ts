/**
 * Debian's Chromium (`apt-get install chromium`), driven by playwright-core: the browser the page tests and the README
 * screenshot use. Playwright's own browser downloads are not needed, and not always reachable.
 *
 * Each launch gets a fresh profile folder, removed on close. The flags keep Chromium from calling home (component
 * updates, sync, background fetches): on a closed network those connections are refused, and a test must not depend
 * on them anyway.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type BrowserContextOptions } from 'playwright-core';
// Where the prerequisites script installs Chromium (Debian's package): one path for both.
import { CHROMIUM } from './test-prerequisites';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A running browser: its one context, and `close`, which ends the browser and removes its profile. */
export interface Chromium {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** A headless Chromium with a fresh profile. */
export async function launchChromium(options: BrowserContextOptions = {}): Promise<Chromium> {
  const profile = mkdtempSync(join(tmpdir(), 'chromium-profile-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, ...options });
  return {
    context,
    close: async () => {
      await context.close();
      // Chromium may still be writing its profile as it exits.
      rmSync(profile, { recursive: true, force: true, maxRetries: 5 });
    },
  };
}

/**
 * Waits until `check` says yes, asking every 50 ms. Playwright's `waitForFunction` polls through `eval` inside the
 * page, which a page whose policy allows no `unsafe-eval` (the local page's) refuses as soon as the first answer is no.
 */
export async function until(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Browser-test harness: builds the web UI when stale, starts Cloudbridge in-process with a viewer
 * token beside the admin one, launches Debian's Chromium headless through playwright-core (one
 * browser per test file; no browser download), and saves screenshots under test-artifacts/ui/.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { hashToken } from '../../src/app/auth.ts';
import { buildUiIfStale } from '../../scripts/build-ui.ts';
import { startTestApp, TEST_TOKEN, type TestApp } from '../e2e/harness.ts';

export const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
export const ADMIN_TOKEN = TEST_TOKEN;
export const VIEWER_TOKEN = 'cb_test_ui_viewer_token_0123456789';
export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/ui/', import.meta.url));

export interface UiHarness {
  t: TestApp;
  browser: Browser;
  /** A new page (own context: own sessionStorage) at a desktop or narrow viewport. */
  page(opts?: { narrow?: boolean }): Promise<Page>;
  close(): Promise<void>;
}

/** Fails with how to install Chromium when it is missing: the browser tests never skip silently. */
export function requireChromium(path: string = CHROMIUM): void {
  if (!existsSync(path)) {
    throw new Error(`Chromium not found at ${path}: the browser tests drive Debian's chromium through playwright-core. Install it with \`apt-get install chromium\` (.ci/run does), or set CHROMIUM_BIN.`);
  }
}

export async function startUiHarness(): Promise<UiHarness> {
  requireChromium();
  await buildUiIfStale();
  const t = await startTestApp();
  await t.app.store.addToken({ id: 'ui-viewer', name: 'ui viewer', role: 'viewer', hash: hashToken(VIEWER_TOKEN), createdAt: Date.now() });
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  } catch (err) {
    await t.close();
    throw err;
  }
  return {
    t, browser,
    async page(opts = {}) {
      const context = await browser.newContext({ viewport: opts.narrow ? { width: 390, height: 844 } : { width: 1280, height: 860 } });
      const page = await context.newPage();
      page.setDefaultTimeout(30_000);
      return page;
    },
    async close() {
      await browser.close();
      await t.close();
    },
  };
}

/** Opens /ui/ and logs in with the token; resolves when the integrations page is shown. */
export async function logIn(page: Page, baseUrl: string, token: string): Promise<void> {
  await page.goto(`${baseUrl}/ui/`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Integrations' }).waitFor();
}

/** Saves a screenshot as test-artifacts/ui/<name>.png: the whole page, or (`viewport`) what is in view. */
export async function screenshot(page: Page, name: string, opts: { viewport?: boolean } = {}): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: !opts.viewport });
  return path;
}

/**
 * Browser-test harness: builds the web UI when stale, starts a Mosquitto broker and Cloudbridge
 * in-process with a viewer token beside the admin one, launches Debian's Chromium headless through
 * playwright-core (one browser per test file; no browser download), and saves screenshots under
 * test-artifacts/ui/.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { hashToken } from '../../src/app/auth.ts';
import { buildUiIfStale } from '../../scripts/build-ui.ts';
import { startTestApp, TEST_TOKEN, type TestApp } from '../e2e/harness.ts';
import { startMosquitto, type MosquittoBroker } from '../peers/mosquitto.ts';
import { waitFor } from '../support/wait.ts';

export const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
export const ADMIN_TOKEN = TEST_TOKEN;
export const VIEWER_TOKEN = 'cb_test_ui_viewer_token_0123456789';
export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/ui/', import.meta.url));

export interface MqttIntegration {
  uplinkConverter: string;
  downlinkConverter?: string;
  /** The topic filter the integration subscribes to. */
  filter: string;
  downlinkTopicPattern?: string;
}

export interface UiHarness {
  t: TestApp;
  broker: MosquittoBroker;
  browser: Browser;
  /** A new page (own context: own sessionStorage) at a desktop or narrow viewport. */
  page(opts?: { narrow?: boolean }): Promise<Page>;
  /** Creates an mqtt integration on the harness's broker through the API; resolves when it runs. */
  addMqttIntegration(name: string, opts: MqttIntegration): Promise<{ id: string }>;
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
  const broker = await startMosquitto();
  const t = await startTestApp();
  await t.app.store.addToken({ id: 'ui-viewer', name: 'ui viewer', role: 'viewer', hash: hashToken(VIEWER_TOKEN), createdAt: Date.now() });
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  } catch (err) {
    await t.close();
    await broker.dispose();
    throw err;
  }
  return {
    t, broker, browser,
    async page(opts = {}) {
      const context = await browser.newContext({ viewport: opts.narrow ? { width: 390, height: 844 } : { width: 1280, height: 860 } });
      const page = await context.newPage();
      page.setDefaultTimeout(30_000);
      return page;
    },
    async addMqttIntegration(name, opts) {
      const created = await t.api.post<{ id: string }>('/integrations', {
        name, type: 'mqtt', uplinkConverter: opts.uplinkConverter,
        ...(opts.downlinkConverter ? { downlinkConverter: opts.downlinkConverter } : {}),
        config: {
          host: '127.0.0.1', port: broker.port, clientId: `cb-${name}-${process.pid}`, topicFilters: [{ filter: opts.filter, qos: 1 }],
          ...(opts.downlinkTopicPattern ? { downlinkTopicPattern: opts.downlinkTopicPattern } : {}),
        },
      });
      await waitFor(async () => (await t.api.get<{ state: string }>(`/integrations/${name}/status`)).state === 'RUNNING', `${name} running`, 30_000, 100);
      return created;
    },
    async close() {
      await browser.close();
      await t.close();
      await broker.dispose();
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

/**
 * The UI's code is split (ADR 019): the log-in page and the integrations list download neither the
 * converter editor (CodeMirror), the device page (uPlot) nor the generated forms (rjsf, AJV); each
 * is downloaded when its page opens, with "Loading…" meanwhile and a message offering a reload when
 * the chunk cannot be downloaded (e.g. removed by an upgrade).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page, Route } from 'playwright-core';
import { ADMIN_TOKEN, logIn, startUiHarness, type UiHarness } from './harness.ts';

const LAZY = /\/ui\/chunks\/(ConverterEditor|DevicePage|IntegrationEditor|ForwarderEditor)-\w+\.js$/;

/** The paths under /ui/ the page requests from now on. */
function watchRequests(page: Page): string[] {
  const paths: string[] = [];
  page.on('request', (r) => { const path = new URL(r.url()).pathname; if (path.startsWith('/ui/')) paths.push(path); });
  return paths;
}

const lazyPages = (paths: string[]): string[] => paths.flatMap((p) => LAZY.exec(p)?.[1] ?? []);

describe('web UI: code-splitting', () => {
  let h: UiHarness;
  before(async () => {
    h = await startUiHarness();
  });
  after(async () => {
    await h?.close();
  });

  it('the log-in page and the integrations list load no editor, chart or form code; each page loads its own when opened', async () => {
    const page = await h.page();
    const paths = watchRequests(page);
    await logIn(page, h.t.url, ADMIN_TOKEN);
    await page.getByText('No integrations yet.').waitFor();
    assert.deepEqual(lazyPages(paths), [], `requested: ${paths.join(', ')}`);
    assert.ok(paths.some((p) => /^\/ui\/app-[A-Z2-7]{8}\.js$/.test(p)), `the hashed entry is loaded: ${paths.join(', ')}`);
    const listPaths = new Set(paths);

    await page.getByRole('link', { name: 'New integration' }).click();
    await page.locator('#root_name').waitFor();
    assert.deepEqual(lazyPages(paths), ['IntegrationEditor']);
    const formChunks = paths.filter((p) => !listPaths.has(p) && p.startsWith('/ui/chunks/chunk-'));
    assert.ok(formChunks.length > 0, 'the form libraries come in a chunk of their own');

    await page.goto(`${h.t.url}/ui/#/converters/new`);
    await page.locator('.cm-content').waitFor();
    await page.goto(`${h.t.url}/ui/#/devices/probe-1`);
    await page.getByRole('heading', { name: 'probe-1' }).waitFor();
    await page.goto(`${h.t.url}/ui/#/forwarders/new`);
    await page.getByRole('heading', { name: 'New forwarder' }).waitFor();
    assert.deepEqual(lazyPages(paths), ['IntegrationEditor', 'ConverterEditor', 'DevicePage', 'ForwarderEditor']);
    await page.context().close();
  });

  it('shows "Loading…" while a page\'s code downloads, then the page with focus on its heading', async () => {
    const page = await h.page();
    await logIn(page, h.t.url, ADMIN_TOKEN);
    let release: (() => void) | null = null;
    const held = new Promise<void>((resolve) => { release = resolve; });
    await page.route(/\/ui\/chunks\/ConverterEditor-/, async (route: Route) => {
      await held;
      await route.continue();
    });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Converters' }).click();
    await page.getByRole('link', { name: 'New converter' }).click();
    const loading = page.locator('#main').getByRole('status').filter({ hasText: 'Loading…' });
    await loading.waitFor();
    assert.equal(await page.locator('.cm-content').count(), 0);
    release!();
    await page.locator('.cm-content').waitFor();
    assert.equal(await loading.count(), 0);
    await page.waitForFunction('document.activeElement?.tagName === "H2" && document.activeElement.textContent === "New converter"');
    assert.equal(await page.title(), 'New converter · Cloudbridge');
    await page.context().close();
  });

  it('when a page\'s code cannot be downloaded, says so and offers a reload that brings the page', async () => {
    const page = await h.page();
    await logIn(page, h.t.url, ADMIN_TOKEN);
    await page.route(/\/ui\/chunks\/ConverterEditor-/, (route: Route) => route.fulfill({ status: 404, contentType: 'application/json', body: '{"error":{"code":"NOT_FOUND"}}' }));
    await page.goto(`${h.t.url}/ui/#/converters/new`);
    await page.getByRole('heading', { name: 'This page could not be loaded' }).waitFor();
    assert.match(await page.locator('#main').getByRole('alert').textContent() ?? '', /upgraded since this tab was opened.*Reload to get the current version/);
    assert.equal(await page.locator('.cm-content').count(), 0);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Integrations' }).click();
    await page.getByRole('heading', { name: 'Integrations' }).waitFor();
    assert.equal(await page.getByRole('heading', { name: 'This page could not be loaded' }).count(), 0, 'another page shows again');

    await page.goBack();
    await page.getByRole('button', { name: 'Reload' }).waitFor();
    await page.unroute(/\/ui\/chunks\/ConverterEditor-/);
    await page.getByRole('button', { name: 'Reload' }).click();
    await page.locator('.cm-content').waitFor();
    assert.equal(await page.getByRole('heading', { name: 'New converter' }).count(), 1);
    await page.context().close();
  });
});

/**
 * The audit log page in headless Chromium: a change made through the UI appears at the top with
 * the actor (the token's name) and the changed field before and after; filters by entity kind,
 * action and actor; paging back and forth; admins only (no link and a 403 for a viewer); the
 * narrow layout. Screenshot: test-artifacts/ui/audit.png.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { hashToken } from '../../src/app/auth.ts';
import { waitFor } from '../support/wait.ts';
import { VIEWER_TOKEN, logIn, screenshot, startUiHarness, type UiHarness } from './harness.ts';

const OPS_TOKEN = 'cb_test_ui_ops_desk_token_0123456789';
const DECODER = 'var d = decodeToJson(payload); return { deviceName: d.device, deviceType: "probe", telemetry: { v: d.v } };';

const entries = (page: Page) => page.getByRole('list', { name: 'Audit entries, newest first' }).locator(':scope > li');

async function openAudit(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Audit log' }).click();
  await entries(page).first().waitFor();
}

async function applyFilter(page: Page, fill: () => Promise<unknown>): Promise<void> {
  await fill();
  await page.getByRole('button', { name: 'Show entries' }).click();
}

describe('web UI: audit log', () => {
  let h: UiHarness;
  before(async () => {
    h = await startUiHarness();
    await h.t.app.store.addToken({ id: 'ops-desk', name: 'ops desk', role: 'admin', hash: hashToken(OPS_TOKEN), createdAt: Date.now() });
    await h.t.api.post('/converters', { name: 'decoder', type: 'uplink', script: DECODER });
    await h.addMqttIntegration('plant', { uplinkConverter: 'decoder', filter: `ui-audit-${process.pid}/#` });
  });
  after(async () => {
    await h?.close();
  });

  it('a change made in the UI is at the top, with the token\'s name and the changed field before and after', async () => {
    const page = await h.page();
    await logIn(page, h.t.url, OPS_TOKEN);
    const row = page.locator('tr[data-integration="plant"]');
    await row.getByRole('button', { name: 'Disable' }).click();
    await row.getByRole('button', { name: 'Enable' }).waitFor();
    await openAudit(page);
    const top = entries(page).first();
    assert.equal(await top.locator('[data-field="actor"] b').textContent(), 'ops desk');
    assert.equal(await top.locator('[data-field="action"]').textContent(), 'disable');
    assert.equal(await top.locator('[data-field="entity"]').textContent(), 'integration plant');
    const changedPaths = await top.locator('tr.changed').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-path')));
    assert.deepEqual(changedPaths, ['enabled', 'updatedAt'], 'only the changed fields, highlighted');
    const changed = top.locator('tr.changed[data-path="enabled"]');
    assert.equal(await changed.locator('[data-field="before"]').textContent(), 'true');
    assert.equal(await changed.locator('[data-field="after"]').textContent(), 'false');
    const updatedAt = await top.locator('tr.changed[data-path="updatedAt"] [data-field="after"]').textContent() ?? '';
    assert.doesNotMatch(updatedAt, /^\d+$/, 'a time as a date, not ms');
    assert.match(updatedAt, new RegExp(String(new Date().getFullYear())));
    await top.getByRole('button', { name: /Show all \d+ fields/ }).click();
    const host = top.locator('tr[data-path="config.host"]');
    assert.equal(await host.getAttribute('class'), null, 'an unchanged field is shown, not highlighted');
    assert.equal(await host.locator('[data-field="after"]').textContent(), '127.0.0.1');
    await screenshot(page, 'audit');
    await page.context().close();
  });

  it('filters by entity kind, action and actor, and pages back and forth', async () => {
    for (let i = 0; i < 26; i++) await h.t.api.post('/tokens', { name: `bulk-${String(i).padStart(2, '0')}`, role: 'viewer' });
    const page = await h.page();
    await logIn(page, h.t.url, OPS_TOKEN);
    await openAudit(page);
    await applyFilter(page, async () => {
      await page.getByLabel('Entity kind').selectOption('token');
      await page.getByLabel('Action').selectOption('create');
      await page.getByLabel('Actor').fill('admin (CLOUDBRIDGE_ADMIN_TOKEN)');
    });
    const shown = page.getByRole('status', { name: 'Audit entries shown' });
    await waitFor(async () => (await shown.textContent()) === 'Entries 1–25, more older', 'the first page of 25');
    const newest = entries(page).first();
    assert.equal(await newest.locator('[data-field="entity"]').textContent(), 'token bulk-25', 'newest first');
    assert.equal(await newest.locator('[data-field="count"]').textContent(), '4 fields', 'a creation: nothing to compare');
    assert.equal(await newest.locator('tr').count(), 0, 'its fields on request');
    await newest.getByRole('button', { name: 'Show all 4 fields' }).click();
    assert.equal(await newest.locator('tr[data-path="name"] [data-field="after"]').textContent(), 'bulk-25');
    assert.equal(await newest.locator('tr.changed').count(), 0);
    await page.getByRole('button', { name: 'Older' }).click();
    await waitFor(async () => (await shown.textContent()) === 'Entries 26–26', 'the second page');
    assert.equal(await entries(page).first().locator('[data-field="entity"]').textContent(), 'token bulk-00');
    assert.equal(await page.getByRole('button', { name: 'Older' }).isDisabled(), true);
    await page.getByRole('button', { name: 'Newer' }).click();
    await waitFor(async () => (await shown.textContent()) === 'Entries 1–25, more older', 'back to the first page');

    await applyFilter(page, async () => {
      await page.getByLabel('Entity kind').selectOption('integration');
      await page.getByLabel('Action').selectOption('');
      await page.getByLabel('Actor').fill('ops desk');
    });
    await waitFor(async () => (await shown.textContent()) === 'Entries 1–1', 'the one change by ops desk');
    assert.equal(await entries(page).first().locator('[data-field="action"]').textContent(), 'disable');
    await applyFilter(page, () => page.getByLabel('Action').selectOption('delete'));
    await waitFor(async () => (await shown.textContent()) === 'No entries match.', 'no deletion');
    await page.context().close();
  });

  it('is for admins only: a viewer has no Audit link and the API refuses', async () => {
    const page = await h.page();
    await logIn(page, h.t.url, VIEWER_TOKEN);
    assert.equal(await page.getByRole('link', { name: 'Audit log' }).count(), 0);
    await page.goto(`${h.t.url}/ui/#/audit`);
    await page.getByText('Only an admin token may read the audit log.').waitFor();
    const status = await page.evaluate(`fetch('/api/v1/audit', { headers: { authorization: 'Bearer ' + sessionStorage.getItem('cloudbridge-token') } }).then((r) => r.status)`);
    assert.equal(status, 403);
    await page.context().close();
  });

  it('fits a narrow screen without sideways scrolling', async () => {
    const page = await h.page({ narrow: true });
    await logIn(page, h.t.url, OPS_TOKEN);
    await openAudit(page);
    await applyFilter(page, () => page.getByLabel('Entity kind').selectOption('integration'));
    await entries(page).first().locator('[data-field="action"]').getByText('disable').waitFor();
    await entries(page).first().getByRole('button', { name: /Show all \d+ fields/ }).click();
    assert.equal(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth'), true);
    await screenshot(page, 'audit-narrow');
    await page.context().close();
  });
});

/**
 * The forwarders page in headless Chromium: a forwarder created through the generated form to the
 * ThingsBoard gateway-API double, its state and delivered counters updated live while messages flow
 * through a real Mosquitto integration, the state change when the double stops, enable/disable and
 * delete, a viewer without controls, the access token never rendered, the narrow layout.
 * Screenshots go to test-artifacts/ui/ (forwarders.png, forwarder-form.png).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import type { Page } from 'playwright-core';
import { startThingsBoardDouble, type ThingsBoardDouble } from '../peers/thingsboard/index.ts';
import { waitFor } from '../support/wait.ts';
import { ADMIN_TOKEN, VIEWER_TOKEN, logIn, screenshot, startUiHarness, type UiHarness } from './harness.ts';

const TOPIC = `ui-fwd-${process.pid}`;
const DECODER = 'var d = decodeToJson(payload); return { deviceName: d.device, deviceType: "probe", telemetry: { v: d.v } };';

interface View { name: string; enabled: boolean; integrations: unknown; config: Record<string, unknown>; status: { state: string; counters: Record<string, number> } }

const cell = (page: Page, forwarder: string, field: string) => page.locator(`tr[data-forwarder="${forwarder}"] [data-field="${field}"]`);

async function textBecomes(page: Page, forwarder: string, field: string, expected: string | RegExp): Promise<void> {
  await waitFor(async () => {
    const text = await cell(page, forwarder, field).textContent() ?? '';
    return typeof expected === 'string' ? text === expected : expected.test(text);
  }, `${forwarder} ${field} = ${String(expected)}`, 30_000, 100);
}

async function publish(url: string, count: number, from: number): Promise<void> {
  const client = await mqtt.connectAsync(url);
  for (let i = from; i < from + count; i++) await client.publishAsync(`${TOPIC}/a`, JSON.stringify({ device: 'probe-1', v: i }), { qos: 1 });
  await client.endAsync();
}

describe('web UI: forwarders', () => {
  let h: UiHarness;
  let tb: ThingsBoardDouble;
  before(async () => {
    tb = await startThingsBoardDouble();
    h = await startUiHarness();
    await h.t.api.post('/converters', { name: 'decoder', type: 'uplink', script: DECODER });
    await h.addMqttIntegration('plant', { uplinkConverter: 'decoder', filter: `${TOPIC}/#` });
  });
  after(async () => {
    await h?.close();
    await tb?.dispose();
  });

  it('creates a forwarder through the form; it connects, and its delivered counters rise live', async () => {
    const page = await h.page();
    await logIn(page, h.t.url, ADMIN_TOKEN);
    await page.getByRole('link', { name: 'Forwarders' }).click();
    await page.getByText('No forwarders yet.').waitFor();
    await page.getByRole('link', { name: 'New forwarder' }).click();
    await page.locator('#root_name').fill('tb');
    await page.getByRole('checkbox', { name: 'plant' }).check();
    await page.locator('#root_config_host').fill(tb.host);
    await page.locator('#root_config_port').fill(String(tb.port));
    await page.locator('#root_config_accessToken').fill(tb.gateway.token);
    assert.equal(await page.locator('#root_config_accessToken').getAttribute('type'), 'password');
    await page.getByRole('button', { name: 'Check connection' }).click();
    const check = page.getByRole('status', { name: 'Connection check' });
    await check.getByText('Connection OK').waitFor();
    assert.equal(await page.locator('#root_config_batchMaxMessages').getAttribute('placeholder'), 'default: 500');
    await screenshot(page, 'forwarder-form');
    await page.getByRole('button', { name: 'Create forwarder' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved “tb”' }).waitFor();
    await textBecomes(page, 'tb', 'state', 'connected');
    await page.getByRole('status').filter({ hasText: /^Live$/ }).waitFor();
    const saved = await h.t.api.get<View>('/forwarders/tb');
    assert.deepEqual(saved.integrations, ['plant']);
    assert.equal(saved.config.accessToken, '***');

    const polls: string[] = [];
    page.on('request', (r) => { if (/\/api\/v1\/forwarders/.test(r.url())) polls.push(r.url()); });
    await page.evaluate('window.__sameDocument = true');
    await publish(h.broker.url, 4, 0);
    await textBecomes(page, 'tb', 'deliveredPoints', '4');
    await publish(h.broker.url, 6, 4);
    await textBecomes(page, 'tb', 'deliveredPoints', '10');
    await tb.waitFor(() => tb.telemetry('probe-1').length === 10, 30_000, 'ten points at the double');
    await textBecomes(page, 'tb', 'outboxDepth', '0');
    assert.equal(await cell(page, 'tb', 'rejected').textContent(), '0');
    assert.equal(await page.evaluate('window.__sameDocument'), true, 'no page reload');
    assert.deepEqual(polls, [], 'the status came from the event stream, not from polling the API');
    assert.ok(!(await page.content()).includes(tb.gateway.token), 'the access token is never rendered');
    await screenshot(page, 'forwarders');
    await page.context().close();
  });

  it('shows the state change live when ThingsBoard goes away and comes back, with the error and its fix', async () => {
    const page = await h.page();
    await logIn(page, h.t.url, ADMIN_TOKEN);
    await page.goto(`${h.t.url}/ui/#/forwarders`);
    await textBecomes(page, 'tb', 'state', 'connected');
    await tb.stop();
    await textBecomes(page, 'tb', 'state', /^(disconnected|connecting)$/);
    await textBecomes(page, 'tb', 'lastError', /^CONNECTION_FAILED: .*refused.*Fix: Check host, port/);
    await publish(h.broker.url, 3, 10);
    await textBecomes(page, 'tb', 'outboxDepth', '3');
    assert.notEqual(await cell(page, 'tb', 'lag').textContent(), '—', 'the age of the oldest row waiting');
    assert.notEqual(await cell(page, 'tb', 'oldestAt').textContent(), '—');
    await screenshot(page, 'forwarders-disconnected');
    await tb.start();
    await textBecomes(page, 'tb', 'state', 'connected');
    await textBecomes(page, 'tb', 'lastError', '—');
    await textBecomes(page, 'tb', 'outboxDepth', '0');
    await textBecomes(page, 'tb', 'deliveredPoints', /^1[3-9]$|^\d{3,}$/);
    await page.context().close();
  });

  it('never renders the saved access token, and saving the form without retyping it keeps it', async () => {
    const page = await h.page();
    await logIn(page, h.t.url, ADMIN_TOKEN);
    await page.goto(`${h.t.url}/ui/#/forwarders/tb`);
    const token = page.locator('#root_config_accessToken');
    await token.waitFor();
    assert.equal(await token.inputValue(), '');
    assert.equal(await token.getAttribute('placeholder'), 'set — type to replace');
    assert.equal(await page.locator('#root_name').isEditable(), false, 'the name is the forwarder\'s key');
    await page.locator('#root_config_credentials__anyof_select').selectOption({ label: 'basic' });
    assert.equal(await page.locator('#root_config_credentials_password').getAttribute('type'), 'password', 'a secret inside a choice is write-only too');
    await page.locator('#root_config_credentials__anyof_select').selectOption({ label: '(none)' });
    await page.locator('#root_config_batchMaxMessages').fill('200');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved “tb”' }).waitFor();
    assert.equal((await h.t.api.get<View>('/forwarders/tb')).config.batchMaxMessages, 200);
    await textBecomes(page, 'tb', 'state', 'connected');
    assert.ok(!(await page.content()).includes(tb.gateway.token));
    await page.context().close();
  });

  it('a viewer sees the forwarders without controls, and the API refuses a change', async () => {
    const page = await h.page();
    await logIn(page, h.t.url, VIEWER_TOKEN);
    await page.getByRole('link', { name: 'Forwarders' }).click();
    await textBecomes(page, 'tb', 'state', 'connected');
    assert.equal(await page.getByRole('link', { name: 'New forwarder' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: /Disable|Enable|Delete|Check connection/ }).count(), 0);
    await page.getByRole('link', { name: 'tb', exact: true }).click();
    await page.locator('#root_config_host').waitFor();
    assert.equal(await page.locator('#root_config_host').isEditable(), false);
    assert.equal(await page.getByRole('button', { name: /Save|Create|Check/ }).count(), 0);
    const status = await page.evaluate(`fetch('/api/v1/forwarders/tb', { method: 'DELETE', headers: { authorization: 'Bearer ' + sessionStorage.getItem('cloudbridge-token') } }).then((r) => r.status)`);
    assert.equal(status, 403);
    assert.ok(!(await page.content()).includes(tb.gateway.token));
    await page.context().close();
  });

  it('disables, enables, checks and deletes from the list (delete asks first); links to the forward dead letters', async () => {
    const page = await h.page();
    await logIn(page, h.t.url, ADMIN_TOKEN);
    await page.getByRole('link', { name: 'Forwarders' }).click();
    const row = page.locator('tr[data-forwarder="tb"]');
    await row.getByRole('button', { name: 'Disable' }).click();
    await textBecomes(page, 'tb', 'state', 'stopped');
    assert.equal((await h.t.api.get<View>('/forwarders/tb')).enabled, false);
    assert.equal((await h.t.api.get<View>('/forwarders/tb')).config.accessToken, '***', 'the token was kept');
    await row.getByRole('button', { name: 'Enable' }).click();
    await textBecomes(page, 'tb', 'state', 'connected');
    await row.getByRole('button', { name: 'Check connection' }).click();
    await row.getByRole('status', { name: 'Connection check' }).getByText('Connection OK').waitFor();
    await row.getByRole('button', { name: 'Delete' }).click();
    await row.getByRole('button', { name: 'Cancel' }).click();
    await row.getByRole('button', { name: 'Delete' }).click();
    await row.getByRole('button', { name: 'Yes, delete' }).click();
    await row.waitFor({ state: 'detached' });
    assert.deepEqual(await h.t.api.get('/forwarders'), []);
    await page.getByRole('link', { name: 'dead letters of stage forward' }).click();
    await page.getByRole('heading', { name: 'Dead letters' }).waitFor();
    assert.equal(await page.getByLabel('Stage').inputValue(), 'forward');
    await page.context().close();
  });

  it('fits a narrow screen without sideways scrolling', async () => {
    await h.t.api.call('PUT', '/forwarders/narrow', { name: 'narrow', type: 'thingsboard-gateway', integrations: 'all', config: { host: tb.host, port: tb.port, accessToken: tb.gateway.token } });
    const page = await h.page({ narrow: true });
    await logIn(page, h.t.url, ADMIN_TOKEN);
    await page.goto(`${h.t.url}/ui/#/forwarders`);
    await textBecomes(page, 'narrow', 'state', 'connected');
    assert.equal(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth'), true);
    await screenshot(page, 'forwarders-narrow');
    await page.context().close();
  });
});

/**
 * The devices and tokens pages in headless Chromium against Cloudbridge with a real Mosquitto
 * integration (uplink decoder and downlink encoder): search, a device's live values and chart, a
 * downlink typed while telemetry arrives (kept), sent, seen in the history and on Mosquitto; a
 * viewer who sees no downlink form or token admin; token create, copy and revoke.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import type { Page } from 'playwright-core';
import { apiClient } from '../e2e/harness.ts';
import { waitFor } from '../support/wait.ts';
import { ADMIN_TOKEN, VIEWER_TOKEN, logIn, screenshot, startUiHarness, type UiHarness } from './harness.ts';

const TOPIC = `ui-dev-${process.pid}`;
const DECODER = `var d = decodeToJson(payload);
return { deviceName: d.device, deviceType: d.kind, attributes: { model: d.model },
  telemetry: { ts: d.ts, values: { temperature: d.t, humidity: d.h } } };`;
const ENCODER = 'return { contentType: "JSON", data: JSON.stringify({ method: msgType, params: msg }), metadata: { deviceName: metadata.deviceName } };';

interface Reading { device: string; kind: string; t: number; h: number; ts: number }

async function publish(url: string, readings: Reading[]): Promise<void> {
  const client = await mqtt.connectAsync(url);
  for (const r of readings) await client.publishAsync(`${TOPIC}/${r.device}`, JSON.stringify({ ...r, model: `${r.kind.toUpperCase()}-1` }), { qos: 1 });
  await client.endAsync();
}

const latestCell = (page: Page, key: string) => page.locator(`tr[data-key="${key}"] [data-field="value"]`);

describe('web UI: devices and tokens', () => {
  let h: UiHarness;
  before(async () => {
    h = await startUiHarness();
    await h.t.api.post('/converters', { name: 'decoder', type: 'uplink', script: DECODER });
    await h.t.api.post('/converters', { name: 'encoder', type: 'downlink', script: ENCODER });
    await h.addMqttIntegration('plant', { uplinkConverter: 'decoder', downlinkConverter: 'encoder', filter: `${TOPIC}/+`, downlinkTopicPattern: `${TOPIC}-commands/\${deviceName}` });
    const now = Date.now();
    const history: Reading[] = [];
    for (let i = 10; i >= 1; i--) history.push({ device: 'pump-7', kind: 'pump', t: 20 + i, h: 40 + i, ts: now - i * 60_000 });
    const meters = Array.from({ length: 21 }, (_, i): Reading => ({ device: `meter-${String(i).padStart(2, '0')}`, kind: 'meter', t: i, h: i, ts: now }));
    await publish(h.broker.url, [...history, { device: 'pump-8', kind: 'pump', t: 1, h: 1, ts: now }, { device: 'valve-3', kind: 'valve', t: 2, h: 2, ts: now }, ...meters]);
    await waitFor(async () => (await h.t.api.get<{ total: number }>('/devices')).total === 24, '24 devices', 30_000);
    await waitFor(async () => ((await h.t.api.get<Record<string, unknown[]>>('/devices/pump-7/telemetry?keys=temperature')).temperature?.length ?? 0) === 10, 'history stored', 30_000);
  });
  after(async () => {
    await h?.close();
  });

  it('lists devices, searches by name and filters by type', async () => {
    const page = await h.page();
    await logIn(page, h.t.url, ADMIN_TOKEN);
    await page.getByRole('link', { name: 'Devices' }).click();
    const pager = page.getByRole('navigation', { name: 'Pages' }).getByRole('status');
    await pager.getByText('1–20 of 24').waitFor();
    assert.equal(await page.locator('tr[data-device]').count(), 20);
    await screenshot(page, 'devices-list');
    await page.getByRole('button', { name: 'Next' }).click();
    await pager.getByText('21–24 of 24').waitFor();
    assert.equal(await page.locator('tr[data-device]').count(), 4);
    assert.equal(await page.getByRole('button', { name: 'Next' }).isDisabled(), true);
    await page.getByRole('button', { name: 'Previous' }).click();
    await pager.getByText('1–20 of 24').waitFor();
    await page.getByLabel('Search by name').fill('pump-8');
    await page.locator('tr[data-device="pump-7"]').waitFor({ state: 'detached' });
    assert.deepEqual(await page.locator('tr[data-device]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-device'))), ['pump-8']);
    await page.getByLabel('Search by name').fill('');
    await page.getByLabel('Type').selectOption('valve');
    await pager.getByText('1–1 of 1').waitFor();
    await page.locator('tr[data-device="pump-8"]').waitFor({ state: 'detached' });
    assert.deepEqual(await page.locator('tr[data-device]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-device'))), ['valve-3']);
    await page.context().close();
  });

  it('shows live values and a two-key chart; a downlink typed while telemetry arrives is kept, sent and tracked', async (t) => {
    const device = await mqtt.connectAsync(h.broker.url);
    await device.subscribeAsync(`${TOPIC}-commands/+`, { qos: 1 });
    const arrived = new Promise<{ topic: string; payload: string }>((resolve) => device.on('message', (topic, payload) => resolve({ topic, payload: payload.toString() })));
    t.after(() => device.endAsync());
    const page = await h.page();
    await logIn(page, h.t.url, ADMIN_TOKEN);
    await page.goto(`${h.t.url}/ui/#/devices/pump-7`);
    await page.getByRole('status').filter({ hasText: /^Live$/ }).waitFor();
    assert.equal(await latestCell(page, 'temperature').textContent(), '21');
    assert.equal(await latestCell(page, 'humidity').textContent(), '41');
    const chart = page.locator('.chart');
    assert.equal(await chart.getAttribute('data-keys'), 'humidity,temperature');
    await chart.locator('canvas').waitFor();
    assert.equal(await page.locator('[data-field="points"]').textContent(), '20 points');
    assert.deepEqual(await chart.locator('.u-legend .u-series .u-label').allTextContents(), ['Time', 'humidity', 'temperature']);
    assert.equal(await page.getByRole('heading', { name: 'Attributes', exact: true }).count(), 1);
    assert.equal(await page.locator('[data-scope="client"] td').first().textContent(), 'PUMP-1');

    const typed = '{"speed": 42, "note": "typed while data arrives"}';
    await page.getByLabel('Message (JSON)').fill(typed);
    await page.getByLabel('Metadata (JSON object of strings)').fill('{"operator": "ui-test"}');
    await publish(h.broker.url, [{ device: 'pump-7', kind: 'pump', t: 99, h: 77, ts: Date.now() }]);
    await waitFor(async () => (await latestCell(page, 'temperature').textContent()) === '99', 'new value on screen', 30_000, 100);
    await waitFor(async () => (await page.locator('[data-field="points"]').textContent()) === '22 points', 'chart followed', 30_000, 100);
    assert.equal(await page.getByLabel('Message (JSON)').inputValue(), typed, 'the typed message survived the live update');
    assert.equal(await page.getByLabel('Metadata (JSON object of strings)').inputValue(), '{"operator": "ui-test"}');
    await screenshot(page, 'device-page');

    await page.getByRole('button', { name: 'Send downlink' }).click();
    const sent = page.getByRole('status').filter({ hasText: /^Downlink \w{8} is \w+; its progress shows in the history below\.$/ });
    await sent.waitFor();
    const msg = await arrived;
    assert.equal(msg.topic, `${TOPIC}-commands/pump-7`);
    assert.deepEqual(JSON.parse(msg.payload), { method: 'RPC_CALL_FROM_SERVER_TO_DEVICE', params: { speed: 42, note: 'typed while data arrives' } });
    const row = page.locator('tr[data-downlink]');
    await waitFor(async () => (await row.locator('[data-field="status"]').textContent()) === 'sent', 'history shows sent', 30_000, 100);
    assert.match(await row.textContent() ?? '', /RPC_CALL_FROM_SERVER_TO_DEVICE.*"speed":42/);
    await page.getByLabel('Message (JSON)').fill('{not json');
    await page.getByRole('button', { name: 'Send downlink' }).click();
    assert.match(await page.getByRole('alert').textContent() ?? '', /Message is not valid JSON/);
    await page.context().close();
  });

  it('a viewer sees the device but no downlink form and no token admin, and the API refuses both', async () => {
    const page = await h.page();
    await logIn(page, h.t.url, VIEWER_TOKEN);
    assert.equal(await page.getByRole('link', { name: 'Tokens' }).count(), 0);
    await page.goto(`${h.t.url}/ui/#/devices/pump-7`);
    await latestCell(page, 'temperature').waitFor();
    await page.getByRole('heading', { name: 'Downlink history' }).waitFor();
    assert.equal(await page.getByRole('heading', { name: 'Send a downlink' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Send downlink' }).count(), 0);
    await page.goto(`${h.t.url}/ui/#/tokens`);
    await page.getByText('Only an admin token may manage tokens.').waitFor();
    assert.equal(await page.getByRole('button', { name: /Create token|Revoke/ }).count(), 0);
    const statuses = await page.evaluate(`(async () => {
      const headers = { authorization: 'Bearer ' + sessionStorage.getItem('cloudbridge-token'), 'content-type': 'application/json' };
      const send = await fetch('/api/v1/devices/pump-7/downlink', { method: 'POST', headers, body: JSON.stringify({ msgType: 'RPC_CALL_FROM_SERVER_TO_DEVICE', msg: {} }) });
      const list = await fetch('/api/v1/tokens', { headers });
      const create = await fetch('/api/v1/tokens', { method: 'POST', headers, body: JSON.stringify({ name: 'x', role: 'admin' }) });
      return [send.status, list.status, create.status];
    })()`);
    assert.deepEqual(statuses, [403, 403, 403]);
    await page.context().close();
  });

  it('an admin creates a viewer token (shown once, copyable) and revokes it; the revoked token is refused', async () => {
    const page = await h.page();
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: h.t.url });
    await logIn(page, h.t.url, ADMIN_TOKEN);
    await page.getByRole('link', { name: 'Tokens' }).click();
    await page.locator('tr[data-token="ui viewer"]').waitFor();
    await page.getByLabel('Name').fill('dashboard');
    await page.getByLabel('Role').selectOption('viewer');
    await page.getByRole('button', { name: 'Create token' }).click();
    const token = (await page.locator('.token-value').textContent()) ?? '';
    assert.match(token, /^cb_[\w-]{32}$/);
    await page.getByRole('button', { name: 'Copy token' }).click();
    await page.getByText('Copied.').waitFor();
    assert.equal(await page.evaluate('navigator.clipboard.readText()'), token);
    const client = apiClient(`${h.t.url}/api/v1`, token);
    assert.deepEqual(await client.get('/session'), { role: 'viewer' });
    const row = page.locator('tr[data-token="dashboard"]');
    assert.match(await row.textContent() ?? '', /dashboard.*viewer/);
    await screenshot(page, 'tokens');
    await page.getByRole('button', { name: 'Done' }).click();
    assert.equal(await page.locator('.token-value').count(), 0, 'the token is shown only once');
    assert.ok(!(await page.content()).includes(token));
    await row.getByRole('button', { name: 'Revoke' }).click();
    await row.getByRole('button', { name: 'Yes, revoke' }).click();
    await row.waitFor({ state: 'detached' });
    assert.equal((await client.call('GET', '/devices')).status, 401);
    await page.context().close();
  });

  it('fits a narrow screen without sideways scrolling', async () => {
    const page = await h.page({ narrow: true });
    await logIn(page, h.t.url, ADMIN_TOKEN);
    await page.goto(`${h.t.url}/ui/#/devices/pump-7`);
    await page.locator('.chart canvas').waitFor();
    assert.equal(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth'), true);
    assert.equal(await page.locator('table.downlinks thead').isVisible(), true, 'the downlink history keeps its column names');
    await screenshot(page, 'device-narrow');
    await page.goto(`${h.t.url}/ui/#/devices/no-such-device`);
    await page.getByRole('alert').filter({ hasText: 'device "no-such-device" not found' }).waitFor();
    assert.equal(await page.getByText('Connecting to live data').count(), 0, 'no endless "connecting" for a device that does not exist');
    await page.goto(`${h.t.url}/ui/#/devices/pump-7`);
    await page.locator('.chart canvas').waitFor();
    assert.equal(await page.getByRole('alert').count(), 0, 'the other device\'s "not found" is gone');
    await page.context().close();
  });
});

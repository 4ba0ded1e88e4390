/**
 * The integrations pages in headless Chromium against Cloudbridge with a real Mosquitto source:
 * log in, create through the generated form, counters rising live, a server error at its field,
 * write-only secrets, list actions, a viewer who can change nothing, the narrow layout.
 * Screenshots of each page go to test-artifacts/ui/.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import type { Page } from 'playwright-core';
import type { MosquittoBroker } from '../peers/mosquitto.ts';
import { waitFor } from '../support/wait.ts';
import { ADMIN_TOKEN, VIEWER_TOKEN, logIn, screenshot, startUiHarness, type UiHarness } from './harness.ts';

const SECRET = `pw-${process.pid}-never-shown`;
const TOPIC = `ui-test-${process.pid}`;
const DECODER = 'var d = decodeToJson(payload); return { deviceName: d.device, deviceType: "probe", telemetry: { v: d.v } };';

interface View { name: string; enabled: boolean; debug: { allUntil: number }; config: Record<string, unknown> }

const cell = (page: Page, integration: string, field: string) => page.locator(`tr[data-integration="${integration}"] [data-field="${field}"]`);

async function textBecomes(page: Page, integration: string, field: string, expected: string): Promise<void> {
  await waitFor(async () => (await cell(page, integration, field).textContent()) === expected, `${integration} ${field} = ${expected}`, 30_000, 100);
}

async function publish(url: string, count: number, from: number): Promise<void> {
  const client = await mqtt.connectAsync(url);
  for (let i = from; i < from + count; i++) await client.publishAsync(`${TOPIC}/a`, JSON.stringify({ device: 'probe-1', v: i }), { qos: 1 });
  await client.endAsync();
}

async function fillMqttForm(page: Page, name: string, broker: MosquittoBroker, extra: { username?: string; password?: string }): Promise<void> {
  await page.getByRole('link', { name: 'New integration' }).click();
  await page.locator('#root_name').fill(name);
  await page.locator('#root_uplinkConverter').selectOption({ label: 'decoder' });
  await page.locator('#root_config_host').fill('127.0.0.1');
  await page.locator('#root_config_port').fill(String(broker.port));
  await page.locator('#root_config_clientId').fill(`cb-${name}-${process.pid}`);
  await page.locator('#root_config_topicFilters_0_filter').fill(`${TOPIC}/#`);
  if (extra.username) await page.locator('#root_config_username').fill(extra.username);
  if (extra.password) await page.locator('#root_config_password').fill(extra.password);
}

describe('web UI: integrations', () => {
  let h: UiHarness;
  before(async () => {
    h = await startUiHarness();
    await h.t.api.post('/converters', { name: 'decoder', type: 'uplink', script: DECODER });
  });
  after(async () => {
    await h?.close();
  });

  it('logs in with a token kept for the tab session only, refusing a wrong one', async () => {
    const page = await h.page();
    await page.goto(`${h.t.url}/ui/`);
    await screenshot(page, 'login');
    await page.getByLabel('API token').fill('cb_wrong_token');
    await page.getByRole('button', { name: 'Log in' }).click();
    assert.match(await page.getByRole('alert').textContent() ?? '', /not accepted/);
    await logIn(page, h.t.url, ADMIN_TOKEN);
    assert.equal(await page.locator('.role').textContent(), 'Admin');
    assert.equal(await page.evaluate('sessionStorage.getItem("cloudbridge-token")'), ADMIN_TOKEN);
    assert.equal(await page.evaluate('localStorage.length'), 0, 'nothing in localStorage');
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByLabel('API token').waitFor();
    assert.equal(await page.evaluate('sessionStorage.getItem("cloudbridge-token")'), null);
    await page.context().close();
  });

  it('creates an mqtt integration through the form, checks its connection, and its counters rise live', async () => {
    const page = await h.page();
    await logIn(page, h.t.url, ADMIN_TOKEN);
    await fillMqttForm(page, 'plant-ui', h.broker, { username: 'cloudbridge', password: SECRET });
    await page.getByRole('button', { name: 'Check connection' }).click();
    const check = page.getByRole('status', { name: 'Connection check' });
    await check.waitFor();
    assert.match(await check.textContent() ?? '', /Connection OK.*connect: connected to mqtt:\/\/127\.0\.0\.1:\d+.*subscribe: subscribed to 1 filter/s);
    await check.scrollIntoViewIfNeeded();
    await screenshot(page, 'integration-form', { viewport: true });
    await page.getByRole('button', { name: 'Create integration' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved “plant-ui”' }).waitFor();
    await textBecomes(page, 'plant-ui', 'state', 'running');
    await page.getByRole('status').filter({ hasText: /^Live$/ }).waitFor();

    const listRequests: string[] = [];
    page.on('request', (r) => { if (/\/api\/v1\/integrations/.test(r.url())) listRequests.push(r.url()); });
    await page.evaluate('window.__sameDocument = true');
    await publish(h.broker.url, 3, 0);
    await textBecomes(page, 'plant-ui', 'stored', '3');
    await publish(h.broker.url, 7, 3);
    await textBecomes(page, 'plant-ui', 'stored', '10');
    assert.equal(await cell(page, 'plant-ui', 'received').textContent(), '10');
    assert.notEqual(await cell(page, 'plant-ui', 'lastMessage').textContent(), '—');
    assert.equal(await page.evaluate('window.__sameDocument'), true, 'no page reload');
    assert.deepEqual(listRequests, [], 'counters came from the event stream, not from polling the API');
    await screenshot(page, 'integrations-list');
    await page.context().close();
  });

  it('shows the server\'s validation error at its field and saves nothing', async () => {
    const page = await h.page();
    await logIn(page, h.t.url, ADMIN_TOKEN);
    await fillMqttForm(page, 'broken-ui', h.broker, { password: 'only-a-password' });
    await page.getByRole('button', { name: 'Create integration' }).click();
    const usernameGroup = page.locator('.form-group').filter({ has: page.locator('#root_config_username') }).last();
    await usernameGroup.locator('.error-detail').waitFor();
    assert.match(await usernameGroup.locator('.error-detail').textContent() ?? '', /password is set without username/);
    assert.match(await page.getByRole('alert').first().textContent() ?? '', /Not saved/);
    await page.locator('#root_config_username').scrollIntoViewIfNeeded();
    await screenshot(page, 'integration-field-error', { viewport: true });
    const names = (await h.t.api.get<View[]>('/integrations')).map((v) => v.name);
    assert.deepEqual(names, ['plant-ui']);
    assert.ok(!(await page.content()).includes('only-a-password'), 'the typed secret is not rendered as text');
    await page.context().close();
  });

  it('never renders a saved secret, and saving without retyping keeps it', async () => {
    const page = await h.page();
    await logIn(page, h.t.url, ADMIN_TOKEN);
    await page.getByRole('link', { name: 'plant-ui' }).click();
    const password = page.locator('#root_config_password');
    await password.waitFor();
    assert.equal(await password.inputValue(), '');
    assert.equal(await password.getAttribute('placeholder'), 'set — type to replace');
    assert.equal(await password.getAttribute('type'), 'password');
    assert.ok(!(await page.content()).includes(SECRET));
    await screenshot(page, 'integration-edit', { viewport: true });
    await page.locator('#root_config_keepaliveSeconds').fill('30');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved “plant-ui”' }).waitFor();
    const saved = await h.t.api.get<View>('/integrations/plant-ui');
    assert.equal(saved.config.keepaliveSeconds, 30);
    assert.equal(saved.config.password, '***', 'the stored password is kept');
    assert.ok(!(await page.content()).includes(SECRET));
    await page.context().close();
  });

  it('a viewer sees the integrations but can change nothing, and the API refuses anyway', async () => {
    const page = await h.page();
    await logIn(page, h.t.url, VIEWER_TOKEN);
    assert.equal(await page.locator('.role').textContent(), 'Viewer (read-only)');
    await textBecomes(page, 'plant-ui', 'state', 'running');
    assert.equal(await page.getByRole('link', { name: 'New integration' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: /Disable|Enable|Delete|Check connection|Start debug/ }).count(), 0);
    await screenshot(page, 'integrations-viewer');
    await page.getByRole('link', { name: 'plant-ui' }).click();
    await page.locator('#root_name').waitFor();
    assert.equal(await page.locator('#root_name').isEditable(), false);
    assert.equal(await page.locator('#root_config_host').isEditable(), false);
    assert.equal(await page.getByRole('button', { name: /Save|Create|Check/ }).count(), 0);
    const status = await page.evaluate(`fetch('/api/v1/integrations/plant-ui/disable', { method: 'POST', headers: { authorization: 'Bearer ' + sessionStorage.getItem('cloudbridge-token') } }).then((r) => r.status)`);
    assert.equal(status, 403);
    assert.equal((await h.t.api.get<View>('/integrations/plant-ui')).enabled, true);
    await page.goto(`${h.t.url}/ui/#/integrations/no-such-integration`);
    await page.getByRole('alert').filter({ hasText: 'integration "no-such-integration" not found' }).waitFor();
    assert.equal(await page.getByRole('heading', { level: 2 }).textContent(), 'Integration', 'not "New integration"');
    await page.context().close();
  });

  it('disables, enables, debugs and deletes from the list; delete asks first', async () => {
    const page = await h.page();
    await logIn(page, h.t.url, ADMIN_TOKEN);
    const row = page.locator('tr[data-integration="plant-ui"]');
    await row.getByRole('button', { name: 'Disable' }).click();
    await textBecomes(page, 'plant-ui', 'state', 'disabled');
    await row.getByRole('button', { name: 'Enable' }).click();
    await textBecomes(page, 'plant-ui', 'state', 'running');
    await row.getByLabel('Debug all messages for').fill('5');
    await row.getByRole('button', { name: 'Start debug' }).click();
    await row.getByText(/Debug: all messages until/).waitFor();
    const until = (await h.t.api.get<View>('/integrations/plant-ui')).debug.allUntil;
    assert.ok(until > Date.now() + 4 * 60_000 && until <= Date.now() + 5 * 60_000, `debug for 5 minutes (until ${until})`);
    await row.getByRole('button', { name: 'Stop debug' }).click();
    await row.getByRole('button', { name: 'Start debug' }).waitFor();
    assert.equal((await h.t.api.get<View>('/integrations/plant-ui')).debug.allUntil, 0);
    await row.getByRole('button', { name: 'Check connection' }).click();
    await row.getByRole('status', { name: 'Connection check' }).getByText('Connection OK').waitFor();
    await row.getByRole('button', { name: 'Delete' }).click();
    await row.getByRole('button', { name: 'Cancel' }).click();
    await row.getByRole('button', { name: 'Delete' }).click();
    await screenshot(page, 'integration-delete-confirm');
    await row.getByRole('button', { name: 'Yes, delete' }).click();
    await row.waitFor({ state: 'detached' });
    assert.deepEqual(await h.t.api.get('/integrations'), []);
    await page.context().close();
  });

  it('fits a narrow screen without sideways scrolling', async () => {
    await h.t.api.post('/integrations', { name: 'narrow-ui', type: 'mqtt', uplinkConverter: 'decoder', config: { host: '127.0.0.1', port: h.broker.port, topicFilters: [{ filter: `${TOPIC}-narrow/#` }] } });
    const page = await h.page({ narrow: true });
    await logIn(page, h.t.url, ADMIN_TOKEN);
    await textBecomes(page, 'narrow-ui', 'state', 'running');
    assert.equal(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth'), true);
    await screenshot(page, 'integrations-narrow');
    await page.context().close();
  });
});

/**
 * The converter pages in headless Chromium against Cloudbridge with a real Mosquitto source: a
 * broken decoder dead-letters messages (captured as debug events); the user tests the converter on
 * a captured message, sees the error at its line, fixes the script, sees the normalised records,
 * saves, replays the dead letters in bulk on the dead letters page and the telemetry is stored. Also: create with a server error,
 * delete refused while in use, a downlink encoder test, a viewer who can change nothing.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import type { Page } from 'playwright-core';
import { waitFor } from '../support/wait.ts';
import { ADMIN_TOKEN, VIEWER_TOKEN, logIn, screenshot, startUiHarness, type UiHarness } from './harness.ts';

const TOPIC = `ui-conv-${process.pid}`;
const BROKEN = 'var d = decodeToJson(payload);\nconsole.log("fields", Object.keys(d).join(","));\nvar name = d.meta.device;\nreturn { deviceName: name, deviceType: "thermometer", telemetry: { temperature: d.t } };';
const FIXED = 'var d = decodeToJson(payload);\nconsole.log("fields", Object.keys(d).join(","));\nvar name = d.device;\nreturn { deviceName: name, deviceType: "thermometer", telemetry: { temperature: d.t }, attributes: { firmware: d.fw } };';
const ENCODER = 'return { contentType: "JSON", data: JSON.stringify({ set: msg.target }), metadata: { topic: "cmd/" + metadata.deviceName } };';

interface ConverterView { id: string; name: string; script: string }

async function publish(url: string, temps: number[]): Promise<void> {
  const client = await mqtt.connectAsync(url);
  for (const t of temps) await client.publishAsync(`${TOPIC}/a`, JSON.stringify({ device: 'thermo-1', t, fw: 'v1.2' }), { qos: 1 });
  await client.endAsync();
}

/** Replaces the whole script in the CodeMirror editor, as a user would by selecting all and typing. */
async function setScript(page: Page, script: string): Promise<void> {
  const content = page.locator('.cm-content');
  await content.click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(script);
}

async function openConverter(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Converters' }).click();
  await page.getByRole('link', { name, exact: true }).click();
  await page.getByRole('heading', { name: `Converter “${name}”` }).waitFor();
  await page.locator('.cm-content').waitFor();
}

describe('web UI: converters', () => {
  let h: UiHarness;
  before(async () => {
    h = await startUiHarness();
    await h.t.api.post('/converters', { name: 'thermo-decoder', type: 'uplink', script: BROKEN });
    await h.t.api.post('/converters', { name: 'valve-encoder', type: 'downlink', script: ENCODER });
    await h.addMqttIntegration('thermo-mqtt', { uplinkConverter: 'thermo-decoder', downlinkConverter: 'valve-encoder', filter: `${TOPIC}/#` });
  });
  after(async () => {
    await h?.close();
  });

  it('fixes a broken decoder on a captured message, saves it, and the replayed dead letters are stored', async () => {
    await publish(h.broker.url, [21.5, 22, 22.5]);
    await waitFor(async () => (await h.t.api.get<{ total: number }>('/dead-letters?integration=thermo-mqtt&state=pending')).total === 3, 'three dead letters', 30_000, 100);

    const page = await h.page();
    await logIn(page, h.t.url, ADMIN_TOKEN);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Converters' }).click();
    const row = page.locator('tr[data-converter="thermo-decoder"]');
    await row.waitFor();
    assert.equal(await row.locator('[data-field="type"]').textContent(), 'uplink');
    assert.equal(await row.locator('[data-field="language"]').textContent(), 'JavaScript');
    assert.equal(await row.locator('[data-field="usedBy"]').textContent(), 'thermo-mqtt');
    await screenshot(page, 'converters-list');

    await openConverter(page, 'thermo-decoder');
    assert.equal(await page.locator('.cm-lineNumbers .cm-gutterElement', { hasText: /^4$/ }).count(), 1, 'line numbers');
    assert.ok(await page.locator('.cm-content span[class]').count() > 0, 'syntax highlighting');
    const captured = page.getByRole('list', { name: 'Captured messages' }).locator('li');
    await waitFor(async () => (await captured.count()) === 3, 'three captured messages', 30_000, 100);
    assert.match(await captured.first().textContent() ?? '', /ERROR.*"device":"thermo-1","t":22\.5.*CONVERTER_RUNTIME/s);
    await captured.first().getByRole('button', { name: 'Use this message' }).click();
    assert.equal(await page.getByLabel('Payload', { exact: true }).inputValue(), '{"device":"thermo-1","t":22.5,"fw":"v1.2"}');
    assert.equal(JSON.parse(await page.getByLabel('Metadata (JSON object, optional)').inputValue()).topic, `${TOPIC}/a`);

    await page.getByRole('button', { name: 'Run test' }).click();
    const result = page.getByRole('region', { name: 'Test result' });
    const failure = result.getByRole('alert');
    await failure.waitFor();
    assert.match(await failure.textContent() ?? '', /CONVERTER_RUNTIME \(convert\) at line 3: TypeError: Cannot read properties of undefined \(reading 'device'\)/);
    assert.equal(await page.locator('.cm-error-line').getAttribute('data-error-line'), '3');
    assert.equal(await page.locator('.cm-error-line').textContent(), 'var name = d.meta.device;');
    assert.equal(await result.getByLabel('Console output').textContent(), 'log: fields device,t,fw');
    await screenshot(page, 'converter-test-error');

    await setScript(page, FIXED);
    assert.equal(await page.locator('.cm-error-line').count(), 0, 'the mark goes when the script changes');
    await page.getByRole('button', { name: 'Run test' }).click();
    await result.getByRole('status').filter({ hasText: 'Converted without errors' }).waitFor();
    const telemetry = result.getByRole('table', { name: 'Telemetry of thermo-1' });
    const cells = await telemetry.locator('tbody td').allTextContents();
    assert.deepEqual(cells.slice(0, 3), ['temperature', 'double', '22.5']);
    assert.match(cells[3] ?? '', /^\d{4}-\d\d-\d\dT.*Z \(time of receipt\)$/);
    assert.deepEqual(await result.getByRole('table', { name: 'Attributes of thermo-1' }).locator('tbody td').allTextContents(), ['firmware', 'string', 'v1.2']);
    assert.match(await result.getByLabel('Raw result').textContent() ?? '', /"deviceName": "thermo-1"/);
    await screenshot(page, 'converter-editor');

    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved “thermo-decoder”' }).waitFor();
    assert.equal((await h.t.api.get<ConverterView>('/converters/thermo-decoder')).script, FIXED);

    // Then the dead letters page: the integration's letters replayed in bulk, each one stored.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dead letters' }).click();
    await page.getByLabel('Integration').selectOption({ label: 'thermo-mqtt' });
    await page.getByRole('button', { name: 'Show dead letters' }).click();
    await page.getByRole('status', { name: 'Matching dead letters' }).getByText('1–3 of 3').waitFor();
    await page.getByRole('button', { name: 'Replay all matching (3)' }).click();
    const outcome = page.getByRole('status', { name: 'Bulk outcome' });
    await outcome.getByText('Replay: 3 of 3 succeeded').waitFor();
    assert.deepEqual(await outcome.locator('[data-field="outcome"]').allTextContents(), ['stored', 'stored', 'stored']);
    await page.context().close();

    const stored = await h.t.api.get<Record<string, Array<{ value: unknown }>>>('/devices/thermo-1/telemetry?keys=temperature');
    assert.deepEqual(stored.temperature?.map((p) => p.value).sort(), [21.5, 22, 22.5]);
  });

  it('tests a downlink encoder and shows the encoded payload', async () => {
    const page = await h.page();
    await logIn(page, h.t.url, ADMIN_TOKEN);
    await openConverter(page, 'valve-encoder');
    await page.getByLabel('msgType').fill('RPC_CALL_FROM_SERVER_TO_DEVICE');
    await page.getByLabel('msg (JSON)').fill('{"target": 40}');
    await page.getByLabel('Metadata (JSON object, optional)').fill('{"deviceName": "valve-7"}');
    await page.getByRole('button', { name: 'Run test' }).click();
    const encoded = page.getByRole('table', { name: 'Encoded payloads' });
    await encoded.waitFor();
    assert.deepEqual(await encoded.locator('tbody td').allTextContents(), ['JSON', '{"set":40}', '{"topic":"cmd/valve-7"}']);
    await page.getByLabel('msg (JSON)').fill('{"target": ');
    await page.getByRole('button', { name: 'Run test' }).click();
    assert.match(await page.getByRole('alert').textContent() ?? '', /msg is not valid JSON/);
    await page.context().close();
  });

  it('creates a converter, shows its errors at their fields, and refuses to delete one in use', async () => {
    const page = await h.page();
    await logIn(page, h.t.url, ADMIN_TOKEN);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Converters' }).click();
    await page.getByRole('link', { name: 'New converter' }).click();
    await page.getByRole('button', { name: 'Create converter' }).click();
    assert.equal(await page.locator('#name-error').textContent(), 'Give the converter a name.');
    assert.equal(await page.getByRole('alert').first().textContent(), 'Not saved: the converter needs a name.');
    assert.equal(await page.evaluate('document.activeElement.getAttribute("role")'), 'alert', 'focus on the error');
    await page.getByLabel('Name').fill('thermo-decoder');
    await page.getByRole('button', { name: 'Create converter' }).click();
    await page.locator('#name-error').waitFor();
    assert.match(await page.locator('#name-error').textContent() ?? '', /a converter named "thermo-decoder" already exists/);
    await page.getByLabel('Name').fill('jsonata-decoder');
    await setScript(page, 'var d = decodeToJson(payload);\nreturn { deviceName: d.device, telemetry: { t: d.t };');
    await page.getByRole('button', { name: 'Create converter' }).click();
    await page.locator('.cm-error-line').waitFor();
    assert.equal(await page.locator('.cm-error-line').getAttribute('data-error-line'), '2');
    assert.match(await page.getByRole('alert').first().textContent() ?? '', /Not saved: SyntaxError/);
    await page.getByLabel('Language').selectOption('jsonata');
    await setScript(page, '{\n  "deviceName": device,\n  "telemetry": {"t": $nope(t)}\n}');
    await page.getByLabel('Payload', { exact: true }).fill('{"device":"j-1","t":3}');
    await page.getByRole('button', { name: 'Run test' }).click();
    await page.locator('[data-field="error-line"]').waitFor();
    assert.equal(await page.locator('[data-field="error-line"]').textContent(), 'line 3');
    assert.equal(await page.locator('.cm-error-line').textContent(), '  "telemetry": {"t": $nope(t)}');
    await page.getByRole('button', { name: 'Create converter' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved “jsonata-decoder”' }).waitFor();
    assert.equal(await page.locator('tr[data-converter="jsonata-decoder"] [data-field="language"]').textContent(), 'JSONata');

    await openConverter(page, 'thermo-decoder');
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('button', { name: 'Yes, delete' }).click();
    assert.match(await page.getByRole('alert').first().textContent() ?? '', /Not deleted: converter "thermo-decoder" is used by integration\(s\) "thermo-mqtt"/);
    assert.equal((await h.t.api.get<ConverterView[]>('/converters')).length, 3);

    await openConverter(page, 'jsonata-decoder');
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('button', { name: 'Yes, delete' }).click();
    await page.getByRole('status').filter({ hasText: 'Deleted “jsonata-decoder”' }).waitFor();
    assert.equal(await page.locator('tr[data-converter="jsonata-decoder"]').count(), 0);
    await page.context().close();
  });

  it('a viewer sees the script read-only with no save, delete or test, and the API refuses anyway', async () => {
    const page = await h.page();
    await logIn(page, h.t.url, VIEWER_TOKEN);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Converters' }).click();
    await page.locator('tr[data-converter="thermo-decoder"]').waitFor();
    assert.equal(await page.getByRole('link', { name: 'New converter' }).count(), 0);
    await openConverter(page, 'thermo-decoder');
    assert.equal(await page.locator('.cm-content').getAttribute('contenteditable'), 'false');
    assert.equal(await page.getByLabel('Name').isEditable(), false);
    assert.equal(await page.getByRole('button', { name: /Save|Delete|Run test|Create/ }).count(), 0);
    await screenshot(page, 'converter-viewer', { viewport: true });
    const status = await page.evaluate(`fetch('/api/v1/converters/thermo-decoder', { method: 'DELETE', headers: { authorization: 'Bearer ' + sessionStorage.getItem('cloudbridge-token') } }).then((r) => r.status)`);
    assert.equal(status, 403);
    assert.equal((await h.t.api.get<ConverterView>('/converters/thermo-decoder')).script, FIXED);
    await page.context().close();
  });

  it('fits a narrow screen without sideways scrolling', async () => {
    const page = await h.page({ narrow: true });
    await logIn(page, h.t.url, ADMIN_TOKEN);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Converters' }).click();
    await page.locator('tr[data-converter="thermo-decoder"]').waitFor();
    assert.equal(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth'), true);
    await page.getByRole('link', { name: 'thermo-decoder', exact: true }).click();
    await page.locator('.cm-content').waitFor();
    assert.equal(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth'), true);
    await screenshot(page, 'converter-narrow', { viewport: true });
    await page.context().close();
  });
});

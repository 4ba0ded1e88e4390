/**
 * The events and dead-letters pages in headless Chromium against Cloudbridge with a real Mosquitto
 * integration whose converter fails: its dead letters filtered and linked to it, the converter
 * fixed through the API, a discard and a bulk replay from the page with each outcome, the events page filtered
 * by type with readable payloads and live arrivals, a viewer who can change nothing, the narrow layout.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { waitFor } from '../support/wait.ts';
import { ADMIN_TOKEN, VIEWER_TOKEN, logIn, screenshot, startUiHarness, type UiHarness } from './harness.ts';

const TOPIC = `ui-dl-${process.pid}`;
const BROKEN = 'var d = decodeToJson(payload); return { deviceName: d.device, deviceType: "probe", telemetry: { v: d.reading.value } };';
const FIXED = 'var d = decodeToJson(payload); return { deviceName: d.device, deviceType: "probe", telemetry: { v: d.v } };';

describe('web UI: events and dead letters', () => {
  let h: UiHarness;
  let integrationId = '';
  before(async () => {
    h = await startUiHarness();
    await h.t.api.post('/converters', { name: 'probe-decoder', type: 'uplink', script: BROKEN });
    integrationId = (await h.addMqttIntegration('probes', { uplinkConverter: 'probe-decoder', filter: `${TOPIC}/#` })).id;
    await publish([1, 2, 3]);
    await waitFor(async () => (await h.t.api.get<{ total: number }>('/dead-letters?integration=probes')).total === 3, '3 dead letters', 30_000, 100);
  });
  after(async () => {
    await h?.close();
  });

  async function publish(values: number[]): Promise<void> {
    const client = await mqtt.connectAsync(h.broker.url);
    for (const v of values) await client.publishAsync(`${TOPIC}/a`, JSON.stringify({ device: 'probe-7', v }), { qos: 1 });
    await client.endAsync();
  }

  it('lists the integration\'s dead letters linked to it, and replays them in bulk once the converter is fixed', async () => {
    const page = await h.page();
    await logIn(page, h.t.url, ADMIN_TOKEN);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dead letters' }).click();
    await page.getByLabel('Integration').selectOption({ label: 'probes' });
    await page.getByRole('button', { name: 'Show dead letters' }).click();
    const letters = page.locator('li[data-letter]');
    await waitFor(async () => (await letters.count()) === 3, '3 letters shown', 30_000, 100);
    assert.equal(await page.getByRole('status', { name: 'Matching dead letters' }).textContent(), '1–3 of 3');
    for (const link of await letters.locator('[data-field="integration"]').all()) {
      assert.equal(await link.textContent(), 'probes');
      assert.equal(await link.getAttribute('href'), `#/integrations/${integrationId}`);
    }
    assert.deepEqual(new Set(await letters.locator('[data-field="stage"]').allTextContents()), new Set(['convert']));
    assert.match((await letters.first().locator('[data-field="error"]').textContent()) ?? '', /value/);
    await letters.first().getByRole('button', { expanded: false }).click();
    const payload = letters.first().locator('figure', { hasText: 'Payload' }).locator('pre');
    assert.equal(await payload.getAttribute('data-kind'), 'JSON');
    assert.match(await payload.textContent() ?? '', /^\{\n {2}"device": "probe-7",\n {2}"v": \d\n\}$/);
    await screenshot(page, 'dead-letters');

    const oldest = letters.last();
    const discardedId = await oldest.getAttribute('data-letter') ?? '';
    await oldest.getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Discard selected (1)' }).click();
    await page.getByRole('button', { name: 'Yes, discard' }).click();
    const outcome = page.getByRole('status', { name: 'Bulk outcome' });
    await outcome.getByText('Discard: 1 of 1 succeeded').waitFor();
    assert.deepEqual(await outcome.locator('[data-field="outcome"]').allTextContents(), ['discarded']);
    await page.getByRole('status', { name: 'Matching dead letters' }).getByText('1–2 of 2').waitFor();
    assert.equal((await h.t.api.get<{ state: string }>(`/dead-letters/${discardedId}`)).state, 'discarded');

    const converter = await h.t.api.get<Record<string, unknown>>('/converters/probe-decoder');
    assert.equal((await h.t.api.call('PUT', '/converters/probe-decoder', { ...converter, script: FIXED })).status, 200);
    await page.getByRole('button', { name: 'Replay all matching (2)' }).click();
    await outcome.getByText('Replay: 2 of 2 succeeded').waitFor();
    assert.deepEqual(await outcome.locator('[data-field="outcome"]').allTextContents(), ['stored', 'stored']);
    assert.deepEqual(new Set(await outcome.locator('a').allTextContents()), new Set(['probes']));
    await page.getByRole('status', { name: 'Matching dead letters' }).getByText('No dead letters match.').waitFor();
    await screenshot(page, 'dead-letters-replayed');
    const discardedV = (JSON.parse((await h.t.api.get<{ payloadText: string }>(`/dead-letters/${discardedId}`)).payloadText) as { v: number }).v;
    const telemetry = await h.t.api.get<{ v?: Array<{ value: number }> }>('/devices/probe-7/telemetry?keys=v');
    assert.deepEqual(telemetry.v?.map((p) => p.value).sort(), [1, 2, 3].filter((v) => v !== discardedV), 'the replayed letters are stored, the discarded one is not');
    await page.context().close();
  });

  it('filters events by type, shows payloads readably, and adds live events without closing what is open', async () => {
    const page = await h.page();
    await logIn(page, h.t.url, ADMIN_TOKEN);
    await page.goto(`${h.t.url}/ui/#/events?integration=${integrationId}`);
    await page.getByLabel('lifecycle', { exact: true }).check();
    await page.getByLabel('debug uplink', { exact: true }).check();
    await page.getByRole('button', { name: 'Show events' }).click();
    const entries = page.locator('li[data-event]');
    await waitFor(async () => (await entries.locator('[data-field="type"]').allTextContents()).includes('lifecycle'), 'a lifecycle event', 30_000, 100);
    const types = new Set(await entries.locator('[data-field="type"]').allTextContents());
    assert.deepEqual(types, new Set(['lifecycle', 'debug uplink']));
    assert.deepEqual(new Set(await entries.locator('[data-field="integration"]').allTextContents()), new Set(['probes']));
    const failed = entries.filter({ has: page.locator('[data-field="type"]', { hasText: 'debug uplink' }) }).first();
    assert.equal(await failed.locator('[data-field="status"]').textContent(), 'ERROR');
    await failed.getByRole('button', { expanded: false }).click();
    const messageIn = failed.locator('figure', { hasText: 'Message in' }).locator('pre');
    assert.equal(await messageIn.getAttribute('data-kind'), 'JSON');
    assert.match(await messageIn.textContent() ?? '', /"device": "probe-7"/);
    const openId = await failed.getAttribute('data-event');

    await page.getByRole('status').filter({ hasText: /^Live$/ }).waitFor();
    const view = await h.t.api.get<Record<string, unknown>>('/integrations/probes');
    assert.equal((await h.t.api.call('PUT', '/integrations/probes', { ...view, debug: { failures: true, allMinutes: 5 } })).status, 200);
    const before = await entries.count();
    await publish([4]);
    const fresh = page.getByRole('button', { name: /new events?$/ });
    await fresh.waitFor();
    assert.equal(await entries.count(), before, 'new events wait behind the button');
    await fresh.click();
    await waitFor(async () => (await entries.count()) > before, 'the new events shown', 30_000, 100);
    const newest = entries.first();
    await newest.getByRole('button', { expanded: false }).click();
    assert.match(await newest.locator('figure', { hasText: 'Message in' }).locator('pre').textContent() ?? '', /"v": 4/);
    assert.equal(await newest.locator('[data-field="status"]').textContent(), 'OK');
    assert.equal(await page.locator(`li[data-event="${openId}"] .toggle`).getAttribute('aria-expanded'), 'true', 'the entry opened before is still open');
    await screenshot(page, 'events', { viewport: true });
    await page.context().close();
  });

  it('a viewer sees dead letters but no replay or discard controls, and the bulk API answers 403', async () => {
    await publish([5]);
    const page = await h.page();
    await logIn(page, h.t.url, VIEWER_TOKEN);
    await page.goto(`${h.t.url}/ui/#/dead-letters?integration=${integrationId}`);
    await page.getByLabel('State').selectOption('');
    await page.getByRole('button', { name: 'Show dead letters' }).click();
    await page.getByRole('status', { name: 'Matching dead letters' }).getByText('1–3 of 3').waitFor();
    assert.equal(await page.getByRole('button', { name: /Replay|Discard/ }).count(), 0);
    assert.equal(await page.getByRole('checkbox').count(), 0);
    assert.deepEqual((await page.locator('[data-field="state"]').allTextContents()).sort(), ['discarded', 'replayed', 'replayed']);
    await screenshot(page, 'dead-letters-viewer');
    for (const path of ['/api/v1/dead-letters/replay', '/api/v1/dead-letters/discard']) {
      const status = await page.evaluate(`fetch('${path}', { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer ' + sessionStorage.getItem('cloudbridge-token') }, body: JSON.stringify({ integration: 'probes', state: 'replayed' }) }).then((r) => r.status)`);
      assert.equal(status, 403, path);
    }
    assert.equal((await h.t.api.get<{ total: number }>('/dead-letters?integration=probes&state=replayed')).total, 2);
    await page.context().close();
  });

  it('fits a narrow screen without sideways scrolling', async () => {
    const page = await h.page({ narrow: true });
    await logIn(page, h.t.url, ADMIN_TOKEN);
    for (const route of ['events', 'dead-letters']) {
      await page.goto(`${h.t.url}/ui/#/${route}?integration=${integrationId}`);
      if (route === 'dead-letters') {
        await page.getByLabel('State').selectOption('');
        await page.getByRole('button', { name: 'Show dead letters' }).click();
      }
      await page.locator('li.entry').first().waitFor();
      await page.locator('li.entry .toggle').first().click();
      assert.equal(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth'), true, route);
    }
    await screenshot(page, 'dead-letters-narrow');
    await page.context().close();
  });
});

/**
 * The web UI with the keyboard only, in headless Chromium against Cloudbridge with a real Mosquitto
 * source: log in, the skip link, the navigation, page titles, an event expanded, the script editor
 * left with Tab, an integration created through the form (a server error moves focus to its
 * field) and deleted after a confirmation that Escape cancels. Every focus stop on the way must
 * show a focus ring, and focus never falls back to <body>. A screenshot of the ring goes to
 * test-artifacts/ui/keyboard-focus.png.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { waitFor } from '../support/wait.ts';
import { ADMIN_TOKEN, screenshot, startUiHarness, type UiHarness } from './harness.ts';

const TOPIC = `ui-kb-${process.pid}`;
const DECODER = 'var d = decodeToJson(payload); return { deviceName: d.device, deviceType: "probe", telemetry: { v: d.v } };';

interface Focused {
  tag: string;
  id: string;
  /** The accessible name as far as the page says it: aria-label, else the text. */
  name: string;
  /** The focus ring: the element's own outline, or the editor's box for CodeMirror's content. */
  outline: string;
  expanded: string | null;
  /** The integration whose list row holds it. */
  row: string | null;
  hash: string;
}

/** The focused element as the page reports it (run in the browser: the tests' types have no DOM). */
const FOCUSED = `(() => {
  const el = document.activeElement ?? document.body;
  const s = getComputedStyle(el.closest('.code-editor') ?? el);
  return {
    tag: el.tagName.toLowerCase(), id: el.id, name: (el.getAttribute('aria-label') ?? el.textContent ?? '').trim(),
    outline: s.outlineStyle === 'none' || s.outlineWidth === '0px' ? 'none' : s.outlineStyle + ' ' + s.outlineWidth + ' ' + s.outlineColor,
    expanded: el.getAttribute('aria-expanded'), row: el.closest('tr')?.dataset.integration ?? null, hash: location.hash,
  };
})()`;

function focused(page: Page): Promise<Focused> {
  return page.evaluate<Focused>(FOCUSED);
}

function assertVisible(f: Focused, where: string): void {
  assert.notEqual(f.tag, 'body', `focus lost to <body> (${where})`);
  assert.notEqual(f.outline, 'none', `no focus ring on <${f.tag}${f.id ? `#${f.id}` : ''}> "${f.name.slice(0, 40)}" (${where})`);
}

/** Presses `key` until the focused element matches, checking the focus ring at every stop. */
async function press(page: Page, key: string, until: (f: Focused) => boolean, what: string): Promise<Focused> {
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press(key);
    const f = await focused(page);
    assertVisible(f, `${key} towards ${what}`);
    if (until(f)) return f;
  }
  throw new Error(`${what} is not reachable with ${key}`);
}

const named = (name: string | RegExp) => (f: Focused): boolean => (typeof name === 'string' ? f.name === name : name.test(f.name));
const withId = (id: string) => (f: Focused): boolean => f.id === id;

async function titleIs(page: Page, title: string): Promise<void> {
  await waitFor(async () => (await page.title()) === title, `title "${title}"`, 30_000, 50);
}

/** Logs in by typing the token and pressing Enter; focus then is on "Skip to content". */
async function keyboardLogIn(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/ui/`);
  await titleIs(page, 'Log in · Cloudbridge');
  assert.equal((await focused(page)).id, 'token', 'the token field has focus');
  await page.keyboard.type(ADMIN_TOKEN);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Integrations' }).waitFor();
  await titleIs(page, 'Integrations · Cloudbridge');
}

describe('web UI: keyboard only', () => {
  let h: UiHarness;
  before(async () => {
    h = await startUiHarness();
    await h.t.api.post('/converters', { name: 'decoder', type: 'uplink', script: DECODER });
    await h.addMqttIntegration('kb-source', { uplinkConverter: 'decoder', filter: `${TOPIC}/#` });
  });
  after(async () => {
    await h?.close();
  });

  it('logs in, skips to the content, moves between pages with the nav, expands an event and leaves the script editor with Tab', async () => {
    const page = await h.page();
    await keyboardLogIn(page, h.t.url);
    const skip = await focused(page);
    assert.equal(skip.name, 'Skip to content', 'after logging in, focus is on the skip link');
    assertVisible(skip, 'after log-in');
    await press(page, 'Tab', named('Integrations'), 'the Integrations link in the dark header');
    await screenshot(page, 'keyboard-focus', { viewport: true });

    await press(page, 'Tab', named('Events'), 'the Events link');
    await page.keyboard.press('Enter');
    await titleIs(page, 'Events · Cloudbridge');
    const heading = await focused(page);
    assert.deepEqual([heading.tag, heading.name, heading.hash], ['h2', 'Events', '#/events'], 'a new page focuses its heading');

    await press(page, 'Shift+Tab', named('Skip to content'), 'the skip link');
    await page.keyboard.press('Enter');
    const main = await focused(page);
    assert.deepEqual([main.id, main.hash], ['main', '#/events'], 'the skip link focuses the content and stays on the page');
    await press(page, 'Tab', (f) => f.tag === 'select', 'the first filter');
    assert.equal(await page.getByRole('heading', { level: 2 }).textContent(), 'Events');

    const toggle = await press(page, 'Tab', (f) => f.expanded !== null, 'the first event');
    assert.equal(toggle.expanded, 'false');
    const entry = page.locator('li[data-event]').first();
    const details = entry.locator('.entry-details');
    assert.equal(await details.isVisible(), false);
    await page.keyboard.press('Enter');
    assert.equal((await focused(page)).expanded, 'true', 'Enter expands the event');
    assert.equal(await details.isVisible(), true);
    assert.match(await details.textContent() ?? '', /Details/);
    await page.keyboard.press('Space');
    assert.equal((await focused(page)).expanded, 'false', 'Space collapses it');
    assert.equal(await details.isVisible(), false);

    await press(page, 'Shift+Tab', named('Converters'), 'the Converters link');
    await page.keyboard.press('Enter');
    await titleIs(page, 'Converters · Cloudbridge');
    await press(page, 'Tab', named('New converter'), 'New converter');
    await page.keyboard.press('Enter');
    await titleIs(page, 'New converter · Cloudbridge');
    const editor = await press(page, 'Tab', named('Script'), 'the script editor');
    assert.equal(editor.tag, 'div');
    await page.keyboard.type('// typed ');
    await page.keyboard.press('Escape');
    const next = await press(page, 'Tab', () => true, 'the control after the editor');
    assert.equal(next.name, 'Create converter', 'Tab leaves the editor for the next control');
    assert.match(await page.locator('.cm-content').textContent() ?? '', /^\/\/ typed var data/);
    await page.context().close();
  });

  it('creates an integration through the form by keyboard, then deletes it after a confirmation that Escape cancels', async () => {
    const page = await h.page();
    await keyboardLogIn(page, h.t.url);
    await press(page, 'Tab', named('New integration'), 'New integration');
    await page.keyboard.press('Enter');
    await titleIs(page, 'New integration · Cloudbridge');
    assert.equal((await focused(page)).name, 'New integration');

    await press(page, 'Tab', withId('root_name'), 'the name field');
    await page.keyboard.type('kb-plant');
    await press(page, 'Tab', withId('root_uplinkConverter'), 'the uplink converter');
    await page.keyboard.type('decoder');
    assert.equal(await page.locator('#root_uplinkConverter option:checked').textContent(), 'decoder');
    await press(page, 'Tab', withId('root_config_host'), 'the host');
    await page.keyboard.type('127.0.0.1');
    await press(page, 'Tab', withId('root_config_port'), 'the port');
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type(String(h.broker.port));
    await press(page, 'Tab', withId('root_config_password'), 'the password');
    await page.keyboard.type('kb-secret');
    await press(page, 'Tab', withId('root_config_clientId'), 'the client id');
    await page.keyboard.type(`cb-kb-plant-${process.pid}`);
    await press(page, 'Tab', withId('root_config_topicFilters_0_filter'), 'the first topic filter');
    await page.keyboard.type(`${TOPIC}/#`);
    await press(page, 'Tab', named('Create integration'), 'Create integration');
    await page.keyboard.press('Enter');

    await page.getByRole('alert').filter({ hasText: 'Not saved' }).waitFor();
    await waitFor(async () => (await focused(page)).id === 'root_config_username', 'focus on the field the server named', 30_000, 50);
    assertVisible(await focused(page), 'the field in error');
    await page.keyboard.type('cloudbridge');
    await press(page, 'Tab', named('Create integration'), 'Create integration');
    await page.keyboard.press('Space');
    await page.getByRole('status').filter({ hasText: 'Saved “kb-plant”.' }).waitFor();
    await titleIs(page, 'Integrations · Cloudbridge');
    assert.deepEqual(await focused(page).then((f) => [f.tag, f.name]), ['h2', 'Integrations'], 'back on the list, focus on its heading');
    assert.equal((await h.t.api.get<{ config: { username: string } }>('/integrations/kb-plant')).config.username, 'cloudbridge');

    const row = page.locator('tr[data-integration="kb-plant"]');
    await row.waitFor();
    const kbDelete = (f: Focused): boolean => f.name === 'Delete' && f.row === 'kb-plant';
    await press(page, 'Tab', kbDelete, "kb-plant's Delete button");
    await page.keyboard.press('Enter');
    const question = row.getByRole('group', { name: 'Delete kb-plant?' });
    await question.waitFor();
    assert.equal((await focused(page)).name, 'Cancel', 'the question focuses Cancel');
    await screenshot(page, 'keyboard-confirm', { viewport: true });
    await page.keyboard.press('Escape');
    await question.waitFor({ state: 'detached' });
    const back = await focused(page);
    assert.equal(kbDelete(back), true, 'Escape cancels and focus goes back to Delete');
    assertVisible(back, 'after Escape');

    await page.keyboard.press('Enter');
    await question.waitFor();
    await press(page, 'Shift+Tab', named('Yes, delete'), 'Yes, delete');
    await page.keyboard.press('Enter');
    await row.waitFor({ state: 'detached' });
    const landed = await focused(page);
    assert.deepEqual([landed.tag, landed.name], ['h2', 'Integrations'], 'after the delete, focus is on the heading');
    assertVisible(landed, 'after the delete');
    assert.equal((await h.t.api.call('GET', '/integrations/kb-plant')).status, 404);
    await page.context().close();
  });
});

/**
 * The web UI build (scripts/build-ui.ts) with code-splitting: index.html names this build's hashed
 * entry, style sheets and preloaded chunks, all present; the files of an earlier build are removed;
 * and the staleness check `scripts/cb` relies on sees a change to any file under web/src, however
 * deep, against the several files the build writes.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UI_DIST, UI_SRC, buildUi, uiIsStale } from '../../scripts/build-ui.ts';

const STALE_CHUNK = join(UI_DIST, 'chunks', 'OldPage-AAAAAAAA.js');
const STALE_ENTRY = join(UI_DIST, 'app.js');

describe('web UI build', () => {
  before(async () => {
    mkdirSync(join(UI_DIST, 'chunks'), { recursive: true });
    writeFileSync(STALE_CHUNK, 'export {};\n');
    writeFileSync(STALE_ENTRY, 'export {};\n');
    await buildUi();
  });

  it('writes index.html naming the hashed entry, style sheets and preloaded chunks, every one of them there', () => {
    const html = readFileSync(join(UI_DIST, 'index.html'), 'utf8');
    const named = [...html.matchAll(/"\/ui\/([\w./-]+)"/g)].map((m) => m[1] ?? '');
    assert.match(html, /<script type="module" src="\/ui\/app-[A-Z2-7]{8}\.js"><\/script>/);
    assert.match(html, /<link rel="stylesheet" href="\/ui\/style-[A-Z2-7]{8}\.css">/);
    assert.match(html, /<link rel="modulepreload" href="\/ui\/chunks\/chunk-[A-Z2-7]{8}\.js">/);
    for (const file of named) assert.ok(existsSync(join(UI_DIST, file)), `${file} named by index.html is in web/dist`);
    const chunks = readdirSync(join(UI_DIST, 'chunks'));
    for (const page of ['ConverterEditor', 'DevicePage', 'IntegrationEditor', 'ForwarderEditor']) {
      assert.ok(chunks.some((f) => new RegExp(`^${page}-[A-Z2-7]{8}\\.js$`).test(f)), `${page} chunk: ${chunks.join(', ')}`);
      assert.ok(!named.some((f) => f.includes(page)), `${page} is not loaded by the first page`);
    }
  });

  it('removes the files of earlier builds', () => {
    assert.equal(existsSync(STALE_CHUNK), false, 'a chunk of an earlier build');
    assert.equal(existsSync(STALE_ENTRY), false, 'the unsplit bundle of an earlier release');
  });

  it('is stale when any file under web/src, however deep, is newer than the build', () => {
    assert.equal(uiIsStale(), false, 'just built');
    const deep = join(UI_SRC, 'converters', 'types.ts');
    const { atime, mtime } = statSync(deep);
    const built = statSync(join(UI_DIST, 'index.html')).mtimeMs;
    try {
      utimesSync(deep, atime, new Date(built + 1000));
      assert.equal(uiIsStale(), true, 'a changed file two folders down');
    } finally {
      utimesSync(deep, atime, mtime);
    }
    assert.equal(uiIsStale(), false);
  });
});

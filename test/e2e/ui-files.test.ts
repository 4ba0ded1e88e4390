/**
 * The web UI's files as a browser gets them: brotli or gzip as its Accept-Encoding allows (the
 * bytes decompress to the file), an ETag that answers a reload with 304, and a changed file served
 * anew with a new ETag. The build's hashed files (entry and chunks/) are kept by the browser;
 * index.html, which names them, is revalidated.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { uiRoutes } from '../../src/api/routes/ui.ts';
import { pickEncoding } from '../../src/api/static-files.ts';

const BUNDLE = Buffer.from(Array.from({ length: 4000 }, (_, i) => `export const value${i} = ${i};\n`).join(''));
const CHUNK = 'chunks/ConverterEditor-UTOF6I3K.js';

describe('/ui/ files: compression and revalidation', () => {
  let dir: string;
  let app: FastifyInstance;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cb-ui-files-'));
    mkdirSync(join(dir, 'dist'));
    writeFileSync(join(dir, 'dist', 'app.js'), BUNDLE);
    writeFileSync(join(dir, 'dist', 'index.html'), '<!doctype html><title>x</title>');
    mkdirSync(join(dir, 'dist', 'chunks'));
    writeFileSync(join(dir, 'dist', CHUNK), BUNDLE);
    writeFileSync(join(dir, 'dist', `${CHUNK}.map`), '{"version":3}');
    app = Fastify();
    await app.register(uiRoutes(`${dir}/`));
  });
  after(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends brotli to a browser that accepts it, gzip to one that accepts only gzip, and the file as is otherwise', async () => {
    const br = await app.inject({ url: '/ui/app.js', headers: { 'accept-encoding': 'gzip, deflate, br, zstd' } });
    assert.equal(br.statusCode, 200);
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(br.headers.vary, 'accept-encoding');
    assert.match(String(br.headers['content-type']), /^text\/javascript/);
    assert.ok(br.rawPayload.length < BUNDLE.length / 4, `compressed to ${br.rawPayload.length} of ${BUNDLE.length} bytes`);
    assert.deepEqual(brotliDecompressSync(br.rawPayload), BUNDLE);

    const gz = await app.inject({ url: '/ui/app.js', headers: { 'accept-encoding': 'gzip' } });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.deepEqual(gunzipSync(gz.rawPayload), BUNDLE);

    const plain = await app.inject({ url: '/ui/app.js', headers: { 'accept-encoding': 'br;q=0, gzip;q=0' } });
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.deepEqual(plain.rawPayload, BUNDLE);

    const small = await app.inject({ url: '/ui/', headers: { 'accept-encoding': 'br' } });
    assert.equal(small.headers['content-encoding'], undefined, 'a small file is not worth compressing');
    assert.equal(small.body, '<!doctype html><title>x</title>');
  });

  it('a reload with the ETag answers 304 without a body; a changed file gets a new ETag and its new content', async () => {
    const first = await app.inject({ url: '/ui/app.js', headers: { 'accept-encoding': 'br' } });
    const etag = String(first.headers.etag);
    assert.match(etag, /^"[\w-]+"$/);
    const again = await app.inject({ url: '/ui/app.js', headers: { 'accept-encoding': 'br', 'if-none-match': etag } });
    assert.equal(again.statusCode, 304);
    assert.equal(again.rawPayload.length, 0);

    const changed = Buffer.concat([BUNDLE, Buffer.from('export const added = true;\n')]);
    writeFileSync(join(dir, 'dist', 'app.js'), changed);
    const fresh = await app.inject({ url: '/ui/app.js', headers: { 'accept-encoding': 'br', 'if-none-match': etag } });
    assert.equal(fresh.statusCode, 200);
    assert.notEqual(fresh.headers.etag, etag);
    assert.deepEqual(brotliDecompressSync(fresh.rawPayload), changed);
  });

  it('serves a chunk under chunks/ as JavaScript kept by the browser, index.html revalidated on every load', async () => {
    const chunk = await app.inject({ url: `/ui/${CHUNK}`, headers: { 'accept-encoding': 'br' } });
    assert.equal(chunk.statusCode, 200);
    assert.match(String(chunk.headers['content-type']), /^text\/javascript/);
    assert.equal(chunk.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.deepEqual(brotliDecompressSync(chunk.rawPayload), BUNDLE);

    const map = await app.inject({ url: `/ui/${CHUNK}.map` });
    assert.equal(map.headers['content-type'], 'application/json');
    assert.equal(map.headers['cache-control'], 'no-cache', 'a source map has no hash of its own');

    for (const url of ['/ui/', '/ui/app.js']) {
      assert.equal((await app.inject({ url })).headers['cache-control'], 'no-cache', `${url} is revalidated`);
    }
    const gone = await app.inject({ url: '/ui/chunks/ConverterEditor-AAAAAAAA.js' });
    assert.equal(gone.statusCode, 404, 'a chunk of an earlier build is gone');
    assert.equal(gone.json().error.code, 'NOT_FOUND');
  });

  it('reads Accept-Encoding as browsers and proxies write it', () => {
    assert.equal(pickEncoding(undefined), 'identity');
    assert.equal(pickEncoding(''), 'identity');
    assert.equal(pickEncoding('gzip, deflate'), 'gzip');
    assert.equal(pickEncoding('GZIP;q=0.5, BR;q=0.8'), 'br');
    assert.equal(pickEncoding('br;q=0, gzip'), 'gzip');
    assert.equal(pickEncoding('*'), 'br');
    assert.equal(pickEncoding('*;q=0'), 'identity');
    assert.equal(pickEncoding('identity'), 'identity');
  });
});

/**
 * The data directory, the SQLite database (with its -wal and -shm files) and the master key file
 * are private to the user running Cloudbridge; existing ones keep their mode and are warned about.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { openStore } from '../../src/store/index.ts';
import { startTestApp } from './harness.ts';
import { TB_DECODER } from './fixtures.ts';

const mode = (path: string): string => `0${(statSync(path).mode & 0o777).toString(8)}`;

describe('private data files', () => {
  it('a fresh data directory is created 0700, the database and its -wal/-shm 0600, the key file 0600', async () => {
    const root = mkdtempSync(join(tmpdir(), 'cb-modes-'));
    const data = join(root, 'var', 'cloudbridge');
    const db = join(data, 'cloudbridge.db');
    // No CLOUDBRIDGE_MASTER_KEY: the key file is generated next to the database.
    const t = await startTestApp({ dir: root, dbPath: db, env: { CLOUDBRIDGE_MASTER_KEY: '' } });
    try {
      const r = await t.api.call('POST', '/converters', { name: 'd', type: 'uplink', script: TB_DECODER });
      assert.equal(r.status, 201, r.text);
      for (const path of [`${db}-wal`, `${db}-shm`]) assert.ok(existsSync(path), `${path} exists while the store is open`);
      assert.equal(mode(join(root, 'var')), '0700', 'a created parent directory');
      assert.equal(mode(data), '0700', 'the data directory');
      for (const path of [db, `${db}-wal`, `${db}-shm`, join(data, 'master.key')]) assert.equal(mode(path), '0600', path);
      assert.ok(!t.logs.some((l) => /other users/.test(l)), 'nothing to warn about');
    } finally {
      await t.close();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('the SQLite store alone: a new database file is 0600 and so are its -wal and -shm', async () => {
    const root = mkdtempSync(join(tmpdir(), 'cb-modes-'));
    try {
      const db = join(root, 'new', 'store.db');
      const store = await openStore({ sqlite: { path: db } });
      try {
        assert.equal(mode(join(root, 'new')), '0700');
        for (const path of [db, `${db}-wal`, `${db}-shm`]) assert.equal(mode(path), '0600', path);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('an existing directory and database keep their modes, and start-up warns with the fix', async () => {
    const root = mkdtempSync(join(tmpdir(), 'cb-modes-'));
    const data = join(root, 'data');
    const db = join(data, 'cloudbridge.db');
    mkdirSync(data);
    chmodSync(data, 0o775);
    const old = new DatabaseSync(db);
    old.exec('PRAGMA journal_mode = WAL; CREATE TABLE x (a)');
    old.close();
    chmodSync(db, 0o644);
    const t = await startTestApp({ dir: root, dbPath: db });
    try {
      assert.equal(mode(data), '0775', 'the directory mode is left as it was');
      assert.equal(mode(db), '0644', 'the database mode is left as it was');
      const warnings = t.logs.filter((l) => /other users/.test(l)).map((l) => (JSON.parse(l) as { msg: string; level: number }));
      assert.ok(warnings.every((w) => w.level === 40), 'logged as warnings');
      assert.ok(warnings.some((w) => w.msg.includes(`${db} (mode 0644)`) && w.msg.includes(`chmod 600 ${db}`)), JSON.stringify(warnings));
      assert.ok(warnings.some((w) => w.msg.includes(`data directory ${data} (mode 0775)`) && w.msg.includes(`chmod 700 ${data}`)), JSON.stringify(warnings));
    } finally {
      await t.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});

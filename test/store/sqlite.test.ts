/** The store contract against SQLite on temp files, plus SQLite-only behaviour (migrations, opening). */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, it } from 'node:test';
import { openStore } from '../../src/store/index.ts';
import { SqliteDatabase } from '../../src/store/sqlite/database.ts';
import { loadMigrations, migrateSqlite } from '../../src/store/sqlite/migrate.ts';
import type { Store } from '../../src/store/types.ts';
import { storeContract } from './contract.ts';
import { T0, batch, dbl, record, rejectsWithCode, stored } from './contract/fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'cloudbridge-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPath = (): string => join(dir, `store-${++n}`, 'cloudbridge.db');

const paths = new WeakMap<Store, string>();

async function openAt(path: string, thread: boolean): Promise<Store> {
  const store = await openStore({ sqlite: { path, thread } });
  paths.set(store, path);
  return store;
}

function pathOf(store: Store): string {
  const path = paths.get(store);
  assert.ok(path !== undefined);
  return path;
}

storeContract('sqlite', () => openAt(freshPath(), false), (closed) => openAt(pathOf(closed), false));
storeContract('sqlite, connection in a worker thread', () => openAt(freshPath(), true), (closed) => openAt(pathOf(closed), true));

describe('sqlite store specifics', () => {
  it('creates the parent folder and uses WAL; migrations are idempotent across migrate calls and reopen', async () => {
    const path = freshPath();
    const store = await openStore({ sqlite: { path, synchronous: 'NORMAL' } });
    await store.migrate();
    await store.migrate();
    await store.commitUplinks(batch([stored('m1', [record('dev-1', { points: [[T0, 't', dbl(1)]] })])]));
    await store.close();

    const again = await openStore({ sqlite: { path } });
    await again.migrate();
    assert.equal(await again.countTelemetry(), 1);
    await again.close();

    const raw = new DatabaseSync(path);
    try {
      const versions = raw.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
      assert.deepEqual(versions.map((v) => ({ ...v })), loadMigrations().map((m) => ({ version: m.version, name: m.name })));
      assert.equal((raw.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode, 'wal');
    } finally {
      raw.close();
    }
  });

  it('migration 004 turns the checkpoints of the old table into unowned leases that keep their position', async (t) => {
    const path = freshPath();
    const old = new SqliteDatabase({ path });
    migrateSqlite(old, loadMigrations().filter((m) => m.version < 4));
    old.exec("INSERT INTO checkpoints (integration_id, partition, value, updated_at) VALUES ('int-a', 'shard-0', '42', 1), ('int-b', 'p1', 'x', 2)");
    old.close();
    const store = await openStore({ sqlite: { path } });
    t.after(() => store.close());
    assert.deepEqual(await store.listLeases('int-a'), [{ partition: 'shard-0', owner: null, token: 0, expiresAt: 0, checkpoint: '42', meta: {} }]);
    assert.equal((await store.claimLease('int-b', 'p1', 'instance-a', 0, 1000))?.checkpoint, 'x');
    const raw = new DatabaseSync(path);
    try {
      assert.equal(raw.prepare("SELECT name FROM sqlite_master WHERE name = 'checkpoints'").get(), undefined);
    } finally {
      raw.close();
    }
  });

  it('refuses a database whose schema is newer than this code', async () => {
    const path = freshPath();
    await (await openStore({ sqlite: { path } })).close();
    const raw = new DatabaseSync(path);
    raw.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, ?, 0)').run('future');
    raw.close();
    await rejectsWithCode(openStore({ sqlite: { path } }), 'CONFIG_INVALID', 'schema version 999');
  });

  it('reports configuration problems as CONFIG_INVALID', async () => {
    await rejectsWithCode(openStore({}), 'CONFIG_INVALID', 'no store configured');
    await rejectsWithCode(openStore({ sqlite: { path: freshPath(), synchronous: 'OFF' as 'FULL' } }), 'CONFIG_INVALID', 'FULL or NORMAL');
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'not a folder');
    await rejectsWithCode(openStore({ sqlite: { path: join(blocker, 'db.sqlite') } }), 'CONFIG_INVALID', blocker);
    const folder = join(dir, 'a-folder');
    mkdirSync(folder);
    await rejectsWithCode(openStore({ sqlite: { path: folder } }), 'CONFIG_INVALID', folder);
  });

  it('reports a file that is not a database as STORE_UNAVAILABLE', async () => {
    const path = join(dir, 'garbage.db');
    writeFileSync(path, 'x'.repeat(8192));
    await rejectsWithCode(openStore({ sqlite: { path } }), 'STORE_UNAVAILABLE', path);
  });
});

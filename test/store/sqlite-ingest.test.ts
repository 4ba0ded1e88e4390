/**
 * SQLite-only ingest behaviour beyond the contract: migration 002 (interned telemetry keys,
 * compact dedupe keys) carries existing data over, multi-row writes keep last-write-wins across
 * statement chunks, stored key forms never merge two sourceKeys, a rolled-back commit leaves
 * no phantom dictionary ids behind, and the telemetry slot fast paths (hints checked by the
 * inserted-row count, statements read back only when they skipped a row) never lose a point.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import type { KvValue } from '../../src/core/model.ts';
import { openStore } from '../../src/store/index.ts';
import { SqliteDatabase } from '../../src/store/sqlite/database.ts';
import { loadMigrations, migrateSqlite } from '../../src/store/sqlite/migrate.ts';
import type { Store } from '../../src/store/types.ts';
import { integration } from './contract/config.ts';
import { INTEGRATION, T0, batch, commitStatuses, dbl, entityId, json, long, record, str, stored } from './contract/fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'cloudbridge-sqlite-ingest-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPath = (): string => join(dir, `store-${++n}`, 'cloudbridge.db');

async function open(t: TestContext, path = freshPath()): Promise<Store> {
  const store = await openStore({ sqlite: { path } });
  t.after(() => store.close());
  return store;
}

const HASH = 'a3f1c2d4e5b60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';

describe('sqlite ingest: migration 002 carries data over', () => {
  it('keeps telemetry, latest values and dedupe keys written by the first schema', async (t) => {
    const path = freshPath();
    const v1 = new SqliteDatabase({ path });
    migrateSqlite(v1, loadMigrations().filter((m) => m.version === 1));
    v1.exec(`
      INSERT INTO entities (seq, id, kind, name, type, created_at) VALUES (7, 'e-7', 'DEVICE', 'old-dev', 'default', 1);
      INSERT INTO telemetry (entity_seq, key, ts, value_type, dbl_v) VALUES (7, 'temperature', ${T0}, 'double', 21.5);
      INSERT INTO telemetry (entity_seq, key, ts, value_type, dbl_v) VALUES (7, 'temperature', ${T0 + 1}, 'double', 22.5);
      INSERT INTO telemetry (entity_seq, key, ts, value_type, str_v) VALUES (7, 'state', ${T0}, 'string', 'on');
      INSERT INTO telemetry_latest (entity_seq, key, ts, value_type, dbl_v) VALUES (7, 'temperature', ${T0 + 1}, 'double', 22.5);
      INSERT INTO telemetry_latest (entity_seq, key, ts, value_type, str_v) VALUES (7, 'state', ${T0}, 'string', 'on');
      INSERT INTO dedupe_keys (integration_id, source_key, committed_at) VALUES
        ('${INTEGRATION}', '${HASH}', 1), ('${INTEGRATION}', 'shard-1/0042', 1), ('${INTEGRATION}', 'ABCD', 1), ('other', '${HASH}', 1);
    `);
    v1.close();

    const store = await open(t, path);
    const id = await entityId(store, 'old-dev');
    assert.equal(id, 'e-7');
    assert.deepEqual(await store.queryTelemetry({ entityId: id }), {
      state: [{ ts: T0, value: str('on') }],
      temperature: [{ ts: T0 + 1, value: dbl(22.5) }, { ts: T0, value: dbl(21.5) }],
    });
    assert.deepEqual(await store.latestTelemetry(id), { state: { ts: T0, value: str('on') }, temperature: { ts: T0 + 1, value: dbl(22.5) } });
    assert.deepEqual(await store.telemetryKeys(id), ['state', 'temperature']);
    assert.equal(await store.countTelemetry(), 3);

    const redelivered = (key: string) => stored(key, [record('old-dev', { points: [[T0 + 9, 'temperature', dbl(0)]] })]);
    assert.deepEqual(await commitStatuses(store, batch([redelivered(HASH), redelivered('shard-1/0042'), redelivered('ABCD'), redelivered('abcd')])),
      ['duplicate', 'duplicate', 'duplicate', 'stored']);
    assert.deepEqual(await commitStatuses(store, batch([redelivered(HASH)], { integrationId: 'other' })), ['duplicate']);
    assert.equal(await store.pruneDedupeKeys(2), 4);
  });
});

describe('sqlite ingest: multi-row writes', () => {
  it('the last write of a point wins even when its copies are written by different statements', async (t) => {
    const store = await open(t);
    // 700 points in one item: (key, ts) pairs repeat far apart, across several 128-row statements.
    const points: Array<[number, string, KvValue]> = [];
    for (let i = 0; i < 700; i++) points.push([T0 + (i % 300), `k${i % 3}`, long(i)]);
    const { results } = await store.commitUplinks(batch([
      stored('m1', [record('dev-1', { points, attributes: { fw: str('1') } })]),
      stored('m2', [record('dev-1', { points: [[T0 + 5, 'k2', long(-1)]], attributes: { fw: str('2') } })]),
    ]));
    assert.deepEqual(results.map((r) => r.status), ['stored', 'stored']);
    const id = await entityId(store, 'dev-1');
    assert.equal(await store.countTelemetry(id), 300);
    const all = await store.queryTelemetry({ entityId: id });
    const valueAt = (key: string, ts: number) => all[key]?.find((p) => p.ts === ts)?.value;
    // ts T0+0 holds i = 0, 300, 600 (keys k0, k0, k0): the last is 600.
    assert.deepEqual(valueAt('k0', T0), long(600));
    assert.deepEqual(valueAt('k2', T0 + 5), long(-1), 'the later item wins');
    assert.deepEqual(valueAt('k1', T0 + 1), long(601));
    // The newest k0 point is ts T0+297, written by i = 297 and then i = 597.
    assert.deepEqual((await store.latestTelemetry(id, ['k0'])).k0, { ts: T0 + 297, value: long(597) });
    assert.deepEqual((await store.listAttributes(id)).map((a) => [a.key, a.value]), [['fw', str('2')]]);
  });

  it('stores a thousand-message batch of many devices exactly once', async (t) => {
    const store = await open(t);
    const items = Array.from({ length: 1000 }, (_, i) => stored(`k-${i}`, [record(`dev-${i % 37}`, {
      points: [[T0 + i, 'temperature', dbl(i / 10)], [T0 + i, 'seq', long(i)]], attributes: { model: str(`m-${i}`) },
    })], { dedupe: 'record-only' }));
    const statuses = await commitStatuses(store, batch(items));
    assert.ok(statuses.every((s) => s === 'stored'));
    assert.equal(await store.countTelemetry(), 2000);
    assert.equal((await store.listEntities({})).total, 37);
    const id = await entityId(store, 'dev-0');
    // dev-0 receives i = 0, 37, ..., 999: its newest point and attribute come from i = 999.
    assert.deepEqual((await store.latestTelemetry(id)).seq, { ts: T0 + 999, value: long(999) });
    assert.deepEqual((await store.listAttributes(id)).map((a) => a.value), [str('m-999')]);
    assert.deepEqual(await commitStatuses(store, batch(items.map((it) => ({ ...it, dedupe: 'check' as const })))), statuses.map(() => 'duplicate'));
  });
});

describe('sqlite ingest: stored key forms', () => {
  it('hex, upper-case, odd-length and other keys stay distinct sourceKeys', async (t) => {
    const store = await open(t);
    const keys = ['ab12', 'AB12', 'Ab12', 'ab1', '', '00', '0', HASH, HASH.toUpperCase(), 'żółw'];
    const item = (key: string, dedupe: 'check' | 'record-only') => stored(key, [record('dev', { points: [[T0, 't', dbl(1)]] })], { dedupe });
    assert.deepEqual(await commitStatuses(store, batch(keys.map((k) => item(k, 'record-only')))), keys.map(() => 'stored'));
    assert.deepEqual(await commitStatuses(store, batch(keys.map((k) => item(k, 'check')))), keys.map(() => 'duplicate'));
    assert.deepEqual(await commitStatuses(store, batch(['ab', '0000', 'aB12', HASH.slice(2)].map((k) => item(k, 'check')))),
      ['stored', 'stored', 'stored', 'stored']);
  });

  it('deleting an integration forgets its dedupe keys only', async (t) => {
    const store = await open(t);
    await store.saveIntegration(integration('int-1', 'Line A'));
    const item = stored(HASH, [record('dev', { points: [[T0, 't', dbl(1)]] })]);
    await store.commitUplinks(batch([item], { integrationId: 'int-1' }));
    await store.commitUplinks(batch([item], { integrationId: 'int-2' }));
    await store.deleteIntegration('int-1');
    assert.deepEqual(await commitStatuses(store, batch([item], { integrationId: 'int-1' })), ['stored']);
    assert.deepEqual(await commitStatuses(store, batch([item], { integrationId: 'int-2' })), ['duplicate']);
  });
});

describe('sqlite ingest: rollback', () => {
  it('a failed commit leaves no phantom telemetry key or integration id behind', async (t) => {
    const store = await open(t);
    await store.commitUplinks(batch([stored('m0', [record('dev', { points: [[T0, 'old', dbl(0)]] })])]));
    const failing = batch([
      stored('m1', [record('dev', { points: [[T0, 'k_a', dbl(1)]] })]),
      stored('m2', [record('dev', { points: [[T0, 'blob', json(10n)]] })]),
    ], { integrationId: 'int-new' });
    await assert.rejects(store.commitUplinks(failing));

    // k_b and int-other are interned first now: they may reuse the ids the rolled-back commit
    // used, so k_a and int-new must get ids of their own.
    const reading = (key: string, v: number) => record('dev', { points: [[T0 + 1, key, dbl(v)]] });
    await store.commitUplinks(batch([stored('x', [reading('k_b', 2)])], { integrationId: 'int-other' }));
    await store.commitUplinks(batch([stored('m1', [reading('k_a', 3)])], { integrationId: 'int-new' }));
    const id = await entityId(store, 'dev');
    assert.deepEqual(await store.telemetryKeys(id), ['k_a', 'k_b', 'old']);
    assert.deepEqual(await store.queryTelemetry({ entityId: id, keys: ['k_a', 'k_b'] }), {
      k_a: [{ ts: T0 + 1, value: dbl(3) }], k_b: [{ ts: T0 + 1, value: dbl(2) }],
    });
    assert.deepEqual(await commitStatuses(store, batch([stored('m1', [record('dev')])], { integrationId: 'int-new' })), ['duplicate']);
    assert.deepEqual(await commitStatuses(store, batch([stored('m1', [record('dev')])], { integrationId: 'int-other' })), ['stored']);
    assert.deepEqual(await commitStatuses(store, batch([stored('x', [record('dev')])], { integrationId: 'int-new' })), ['stored']);
  });
});

describe('sqlite ingest: telemetry slots', () => {
  const noTs = (name: string, at: number, value: number) => record(name, { implicit: [[at, 'seq', long(value)]] });
  const seqTimes = async (store: Store, name: string): Promise<number[]> => {
    const points = (await store.queryTelemetry({ entityId: await entityId(store, name), keys: ['seq'] })).seq ?? [];
    return points.map((p) => p.ts).reverse();
  };

  it('a slot another writer on the same database file took after this store learned the pair costs a retry, never a point', async (t) => {
    const path = freshPath();
    const a = await open(t, path);
    const b = await open(t, path);
    await a.commitUplinks(batch([stored('a1', [noTs('dev', T0, 1)])]));
    await b.commitUplinks(batch([stored('b1', [noTs('dev', T0 + 1, 2)])]));
    // a expects T0+1 to be free (it only knows its own point at T0): the insert finds it taken.
    const { results } = await a.commitUplinks(batch([stored('a2', [noTs('dev', T0, 3)])]));
    assert.deepEqual(results, [{ status: 'stored', createdEntities: [] }]);
    assert.deepEqual(await seqTimes(a, 'dev'), [T0, T0 + 1, T0 + 2]);
    const values = (await a.queryTelemetry({ entityId: await entityId(a, 'dev'), keys: ['seq'] })).seq?.map((p) => p.value.value).reverse();
    assert.deepEqual(values, [1, 2, 3]);
  });

  it('a burst of points without ts, more than one per millisecond for a while, keeps every point in order', async () => {
    const path = freshPath();
    let store = await openStore({ sqlite: { path } });
    try {
      // 5 messages per millisecond for one device: each batch starts inside the run the last one wrote.
      for (let b = 0; b < 4; b++) {
        if (b === 2) {
          await store.close();
          store = await openStore({ sqlite: { path } });
        }
        await store.commitUplinks(batch(Array.from({ length: 500 }, (_, i) => {
          const n = b * 500 + i;
          return stored(`m${n}`, [noTs('fast', T0 + Math.floor(n / 5), n)]);
        })));
      }
      const times = await seqTimes(store, 'fast');
      assert.equal(times.length, 2000);
      assert.deepEqual(times, Array.from({ length: 2000 }, (_, i) => T0 + i), 'one millisecond apart, in message order');
    } finally {
      await store.close();
    }
  });

  it('a re-sent buffer of points with ts: only the changed values count, across statement chunks', async (t) => {
    const store = await open(t);
    const buffer = (changed: (i: number) => boolean) => record('logger', {
      points: Array.from({ length: 700 }, (_, i): [number, string, KvValue] => [T0 + i, 't', dbl(changed(i) ? i + 0.5 : i)]),
    });
    await store.commitUplinks(batch([stored('first', [buffer(() => false)])]));
    const { results } = await store.commitUplinks(batch([
      stored('again', [buffer((i) => i % 100 === 7)]),
      stored('new', [record('logger', { points: [[T0 + 700, 't', dbl(700)]] })]),
    ]));
    assert.deepEqual(results, [{ status: 'stored', createdEntities: [], overwritten: 7 }, { status: 'stored', createdEntities: [] }]);
    const id = await entityId(store, 'logger');
    assert.equal(await store.countTelemetry(id), 701);
    const points = (await store.queryTelemetry({ entityId: id, keys: ['t'] })).t ?? [];
    assert.deepEqual(points.filter((p) => p.value.value !== p.ts - T0).map((p) => p.ts - T0).reverse(), [7, 107, 207, 307, 407, 507, 607]);
  });
});

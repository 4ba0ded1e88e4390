/**
 * The SQLite write-ahead log stays bounded (docs/configuration.md, "Disk use"): under steady
 * commits the WAL file stays under WAL_BOUND_BYTES; when another process holds a read transaction
 * open the guard says so, and truncates the WAL once it ends; an idle WAL is given back.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, it, type TestContext } from 'node:test';
import { WAL_BOUND_BYTES, WalGuard } from '../../src/app/wal-guard.ts';
import { systemClock } from '../../src/core/clock.ts';
import type { Logger } from '../../src/core/logger.ts';
import { openStore } from '../../src/store/index.ts';
import type { Store, UplinkCommit, UplinkCommitItem } from '../../src/store/types.ts';

const dir = mkdtempSync(join(tmpdir(), 'cloudbridge-sqlite-wal-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const MIB = 1024 * 1024;

async function open(t: TestContext): Promise<{ store: Store; path: string }> {
  const path = join(dir, `wal-${++n}`, 'cloudbridge.db');
  const store = await openStore({ sqlite: { path } });
  t.after(() => store.close());
  return { store, path };
}

const walBytes = (path: string): number => {
  try {
    return statSync(`${path}-wal`).size;
  } catch {
    return 0;
  }
};

/** 1000 messages like the MQTT bench's: 100 devices, 3 points and 1 attribute each, content-hash dedupe keys. */
function batch(b: number): UplinkCommit {
  const items: UplinkCommitItem[] = [];
  for (let i = b * 1000; i < (b + 1) * 1000; i++) {
    const ts = 1_700_000_000_000 + i;
    items.push({
      sourceKey: createHash('sha256').update(`wal/${i}`).digest('hex'), dedupe: 'record-only',
      payload: new TextEncoder().encode(`{"seq":${i}}`), metadata: { topic: `wal/${i % 100}` }, receivedAt: ts,
      outcome: {
        kind: 'records',
        records: [{
          kind: 'DEVICE', name: `dev-${i % 100}`, type: 'thermostat',
          attributes: [{ key: 'model', value: { type: 'string', value: 'TH-1' } }],
          telemetry: [
            { ts, key: 'temperature', value: { type: 'double', value: 20 + (i % 100) / 10 } },
            { ts, key: 'humidity', value: { type: 'long', value: i % 50 } },
            { ts, key: 'seq', value: { type: 'long', value: i } },
          ],
        }],
      },
    });
  }
  return { integrationId: 'wal-test', allowCreateDevices: true, items };
}

function capturingLog(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const fn = (a: unknown, b?: unknown): void => { lines.push(typeof a === 'string' ? a : `${String(b)} ${JSON.stringify(a)}`); };
  const log: Logger = { trace: fn, debug: fn, info: fn, warn: fn, error: fn, child: () => log };
  return { log, lines };
}

describe('sqlite write-ahead log', () => {
  it('stays under its documented bound under steady commits', async (t) => {
    const { store, path } = await open(t);
    // 50 such commits write ~90 MiB of WAL frames (16 MiB by the 14th, ~2 MiB each after), so
    // without timely checkpoints the WAL would pass the bound (it did with 64 MiB checkpoints).
    const commits = 50;
    for (let b = 0; b < commits; b++) {
      await store.commitUplinks(batch(b));
      const bytes = walBytes(path);
      assert.ok(bytes < WAL_BOUND_BYTES, `after commit ${b + 1} the WAL is ${(bytes / MIB).toFixed(1)} MiB, above the ${WAL_BOUND_BYTES / MIB} MiB bound`);
    }
    assert.equal(await store.countTelemetry(), commits * 3000);
  });

  it('warns when a reader blocks checkpoints, and truncates the WAL once the reader is gone', async (t) => {
    const { store, path } = await open(t);
    assert.ok(store.files, 'a SQLite store exposes its files');
    const { log, lines } = capturingLog();
    const warnings: string[] = [];
    const guard = new WalGuard({ files: store.files, clock: systemClock, log, onWarning: (m) => warnings.push(m) });
    // Another process (here: another connection) reading an old snapshot, like a sqlite3 shell left in a transaction.
    const reader = new DatabaseSync(path);
    t.after(() => reader.close());
    reader.exec('BEGIN');
    reader.prepare('SELECT count(*) AS n FROM settings').get();
    let b = 0;
    while (walBytes(path) <= WAL_BOUND_BYTES) await store.commitUplinks(batch(b++));
    const blocked = await guard.check();
    assert.equal(blocked.blocked, true);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /above its 48\.0 MiB bound.*another process holds a read transaction open/);
    assert.ok(lines.some((l) => l.includes('STORE_WAL_BLOCKED')), 'the warning is logged with its code');
    await guard.check();
    assert.equal(warnings.length, 1, 'at most one warning per period');
    reader.exec('COMMIT');
    const freed = await guard.check();
    assert.equal(freed.truncated, true);
    assert.equal(walBytes(path), 0);
    assert.equal(await store.countTelemetry(), b * 3000, 'nothing lost by the truncation');
  });

  it('gives an idle WAL back: truncated at the second check without writes in between', async (t) => {
    const { store, path } = await open(t);
    assert.ok(store.files);
    const guard = new WalGuard({ files: store.files, clock: systemClock, log: capturingLog().log });
    await store.commitUplinks(batch(0));
    assert.ok(walBytes(path) > 0);
    assert.equal((await guard.check()).truncated, false, 'a WAL just written is left alone');
    assert.equal((await guard.check()).truncated, true);
    assert.equal(walBytes(path), 0);
    await store.commitUplinks(batch(1));
    assert.equal(await store.countTelemetry(), 6000);
  });
});

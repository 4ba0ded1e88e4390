/**
 * StoreHealth: commit outcomes and write probes decide whether the store is writable; the failure
 * names the error, the integration and since when; recovery is announced once.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfigText } from '../../src/app/config-file.ts';
import { parseDiskThreshold } from '../../src/app/disk-space.ts';
import { PROBE_KEY, StoreHealth } from '../../src/app/store-health.ts';
import { CloudbridgeError } from '../../src/core/errors.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { CommitPort } from '../../src/core/ports.ts';
import type { Store } from '../../src/store/types.ts';
import { ManualClock } from '../support/manual-clock.ts';

function fakeStore(): Store & { failWrites: Error | null; settings: Map<string, string> } {
  const settings = new Map<string, string>();
  const fake = {
    failWrites: null as Error | null, settings,
    async setSetting(key: string, value: string) {
      if (fake.failWrites) throw fake.failWrites;
      settings.set(key, value);
    },
  };
  return fake as unknown as Store & typeof fake;
}

describe('store health', () => {
  it('a failed commit makes the store not writable with the reason; the next success recovers it once', async () => {
    const clock = new ManualClock(1000);
    const recovered: number[] = [];
    const health = new StoreHealth({ store: fakeStore(), clock, log: silentLogger, integrationName: (id) => (id === 'i-1' ? 'plant' : undefined), onRecovered: (at) => recovered.push(at) });
    let fail = true;
    const commit: CommitPort = health.observe(async () => {
      if (fail) throw new Error('database or disk is full');
      return { results: [] };
    });
    const c = { integrationId: 'i-1', allowCreateDevices: true, items: [] };
    await assert.rejects(commit(c), /database or disk is full/, 'the error passes through');
    clock.set(clock.now() + 500);
    await assert.rejects(commit(c));
    const down = health.snapshot();
    assert.equal(down.writable, false);
    assert.deepEqual(down.failure, { code: 'STORE_UNAVAILABLE', message: 'database or disk is full', integration: 'plant', since: 1000, lastAt: 1500, failures: 2 });
    fail = false;
    clock.set(clock.now() + 500);
    await commit(c);
    await commit(c);
    assert.deepEqual(health.snapshot(), { writable: true, failure: null, lastSuccessAt: 2000, recoveredAt: 2000 });
    assert.deepEqual(recovered, [2000]);
  });

  it('a commit refused with LEASE_LOST shows the store answering: it stays (or becomes) writable', async () => {
    const clock = new ManualClock(1000);
    const health = new StoreHealth({ store: fakeStore(), clock, log: silentLogger });
    let error: Error = new Error('connection refused');
    const commit: CommitPort = health.observe(async () => {
      throw error;
    });
    const c = { integrationId: 'i-1', allowCreateDevices: true, items: [] };
    await assert.rejects(commit(c));
    assert.equal(health.writable, false);
    error = new CloudbridgeError('LEASE_LOST', 'lease of partition "shard-0" lost');
    clock.set(clock.now() + 100);
    await assert.rejects(commit(c), (err: unknown) => (err as CloudbridgeError).code === 'LEASE_LOST', 'the error passes through');
    assert.deepEqual(health.snapshot(), { writable: true, failure: null, lastSuccessAt: 1100, recoveredAt: 1100 });
  });

  it('the write probe finds a failure and a recovery without commits', async () => {
    const store = fakeStore();
    const health = new StoreHealth({ store, clock: new ManualClock(1000), log: silentLogger });
    assert.equal(await health.probe(), true);
    assert.ok(store.settings.has(PROBE_KEY));
    store.failWrites = Object.assign(new Error('disk I/O error: the file system is read-only'), { code: 'ERR_SQLITE_ERROR' });
    assert.equal(await health.probe(), false);
    assert.equal(health.snapshot().failure?.integration, null);
    assert.match(health.snapshot().failure?.message ?? '', /read-only/);
    store.failWrites = null;
    assert.equal(await health.probe(), true);
    assert.equal(health.writable, true);
  });
});

describe('store health: which integration saw it', () => {
  it('a failed probe keeps the integration whose commit failed in this outage', async () => {
    const store = fakeStore();
    const health = new StoreHealth({ store, clock: new ManualClock(1000), log: silentLogger, integrationName: () => 'plant' });
    const commit = health.observe(async () => { throw new Error('disk I/O error'); });
    await assert.rejects(commit({ integrationId: 'i-1', allowCreateDevices: true, items: [] }));
    store.failWrites = new Error('disk I/O error');
    await health.probe();
    assert.equal(health.snapshot().failure?.integration, 'plant');
    assert.equal(health.snapshot().failure?.failures, 2);
  });
});

describe('store.sqlite.diskFreeWarning', () => {
  it('takes bytes, sizes and percentages, 1GiB by default', () => {
    assert.deepEqual(parseDiskThreshold(undefined), { bytes: 1024 ** 3 });
    assert.deepEqual(parseDiskThreshold(5000), { bytes: 5000 });
    assert.deepEqual(parseDiskThreshold('500MB'), { bytes: 500e6 });
    assert.deepEqual(parseDiskThreshold('2 GiB'), { bytes: 2 * 1024 ** 3 });
    assert.deepEqual(parseDiskThreshold('5%'), { percent: 5 });
  });

  it('refuses anything else with the field', () => {
    assert.throws(() => parseConfigText('store: { sqlite: { diskFreeWarning: lots } }', {}), /store\.sqlite\.diskFreeWarning/);
    assert.throws(() => parseDiskThreshold('150%'), /store\.sqlite\.diskFreeWarning: expected a size/);
  });
});

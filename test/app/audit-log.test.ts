/**
 * The audit log's writer: kept 365 days by housekeeping; an entry that cannot be written is logged
 * by the service (the change stands) and thrown to the command line; token values never kept.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it, type TestContext } from 'node:test';
import { AuditLog, CLI_ACTOR } from '../../src/app/audit-log.ts';
import { AUDIT_RETENTION_MS, startHousekeeping } from '../../src/app/housekeeping.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { Store } from '../../src/store/types.ts';
import { openStore } from '../../src/store/index.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { recordingLogger } from '../support/recording-logger.ts';

const DAY = 24 * 3600 * 1000;

async function sqliteStore(t: TestContext): Promise<Store> {
  const dir = mkdtempSync(join(tmpdir(), 'cb-audit-log-'));
  const store = await openStore({ sqlite: { path: join(dir, 'cb.db') } });
  t.after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return store;
}

it('prunes audit entries older than 365 days and keeps the younger ones', async (t) => {
  const store = await sqliteStore(t);
  assert.equal(AUDIT_RETENTION_MS, 365 * DAY);
  const clock = new ManualClock(1_700_000_000_000);
  const audit = new AuditLog({ store, clock });
  const change = (name: string) => ({ action: 'create' as const, entityKind: 'token' as const, entityId: name, entityName: name, before: null, after: { name } });
  await audit.record(CLI_ACTOR, change('old'));
  clock.set(clock.now() + 200 * DAY);
  await audit.record(CLI_ACTOR, change('recent'));
  const housekeeping = startHousekeeping({ store, log: silentLogger, clock });
  t.after(() => housekeeping.stop());

  clock.set(clock.now() + 165 * DAY - 1);
  await housekeeping.runOnce();
  assert.deepEqual((await store.listAudit({})).map((e) => e.entityName), ['recent', 'old'], 'one ms short of 365 days: kept');
  clock.set(clock.now() + 2);
  await housekeeping.runOnce();
  assert.deepEqual((await store.listAudit({})).map((e) => e.entityName), ['recent']);
});

it('redacts the values of token and hash properties at any depth', async (t) => {
  const store = await sqliteStore(t);
  await new AuditLog({ store, clock: new ManualClock() }).record(CLI_ACTOR, {
    action: 'update', entityKind: 'integration', entityId: 'i', entityName: 'i',
    before: { config: { token: 'cb_secret_value', nested: [{ Hash: 'abc123' }], tokenUrl: 'https://login' } }, after: null,
  });
  const [entry] = await store.listAudit({});
  assert.deepEqual(entry?.before, { config: { token: '***', nested: [{ Hash: '***' }], tokenUrl: 'https://login' } });
});

it('an entry that cannot be written: the service logs it and goes on, the command line gets the error', async (t) => {
  const store = await sqliteStore(t);
  await store.close();
  const lines: string[] = [];
  const change = { action: 'delete' as const, entityKind: 'converter' as const, entityId: 'c-1', entityName: 'decoder', before: { name: 'decoder' }, after: null };
  await new AuditLog({ store, clock: new ManualClock(), log: recordingLogger(lines) }).record(CLI_ACTOR, change);
  assert.equal(lines.length, 1);
  assert.match(lines[0] ?? '', /^error .*"changes":\["delete converter decoder"\].*audit entries could not be written; the changes they record were made/);
  await assert.rejects(new AuditLog({ store, clock: new ManualClock() }).record(CLI_ACTOR, change));
});

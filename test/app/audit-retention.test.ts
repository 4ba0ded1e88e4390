/** Housekeeping keeps audit entries for the documented 365 days, then deletes them. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { AuditLog, CLI_ACTOR } from '../../src/app/audit-log.ts';
import { AUDIT_RETENTION_MS, startHousekeeping } from '../../src/app/housekeeping.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { openStore } from '../../src/store/index.ts';
import { ManualClock } from '../support/manual-clock.ts';

const DAY = 24 * 3600 * 1000;

it('prunes audit entries older than 365 days and keeps the younger ones', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cb-audit-retention-'));
  const store = await openStore({ sqlite: { path: join(dir, 'cb.db') } });
  t.after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
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

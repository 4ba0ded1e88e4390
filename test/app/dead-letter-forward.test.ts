/**
 * Replaying a dead letter of stage `forward` (a row a forwarder's peer refused, or that outlived
 * the outbox retention) puts its row back in the outbox instead of converting the message again.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, it, type TestContext } from 'node:test';
import { AuditLog, apiActor } from '../../src/app/audit-log.ts';
import { DeadLetterService } from '../../src/app/dead-letter-service.ts';
import { systemClock } from '../../src/core/clock.ts';
import { createDownlinkRunner, createUplinkRunner } from '../../src/converters/index.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';

const T0 = 1_700_000_000_000;
const BY = apiActor('ops');

async function setUp(t: TestContext): Promise<{ store: SqliteStore; service: DeadLetterService }> {
  const dir = mkdtempSync(join(tmpdir(), 'cb-dl-forward-'));
  const store = new SqliteStore({ path: join(dir, 'cb.db') });
  await store.migrate();
  t.after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await store.commitUplinks({
    integrationId: 'int-a', allowCreateDevices: true, forward: ['tb'],
    items: ['pump-1', 'pump-2'].map((name, i) => ({
      sourceKey: `m${i}`, payload: new Uint8Array(), metadata: {}, receivedAt: T0,
      outcome: { kind: 'records' as const, records: [{ kind: 'DEVICE' as const, name, type: 'pump', attributes: [], telemetry: [{ ts: T0 + i, key: 'flow', value: { type: 'double' as const, value: 1.5 + i } }] }] },
    })),
  });
  return { store, service: new DeadLetterService({ store, converters: { uplink: (cfg) => createUplinkRunner(cfg), downlink: createDownlinkRunner }, audit: new AuditLog({ store, clock: systemClock }) }) };
}

describe('dead-letter replay of a forward dead letter', () => {
  it('puts the refused row back at the end of the outbox, once, and marks the letter replayed', async (t) => {
    const { store, service } = await setUp(t);
    const [refused, waiting] = await store.readOutbox('tb', 0, 10);
    assert.ok(refused && waiting);
    const id = await store.rejectOutbox('tb', refused.seq, 'PAYLOAD_INVALID', 'ThingsBoard refused the payload');
    assert.ok(id);
    assert.deepEqual((await store.readOutbox('tb', 0, 10)).map((r) => r.deviceName), ['pump-2']);

    assert.deepEqual(await service.replay(id, BY), { id, ok: true, status: 'requeued' });
    const rows = await store.readOutbox('tb', 0, 10);
    assert.deepEqual(rows.map((r) => [r.deviceName, r.deviceType, r.integrationId]), [['pump-2', 'pump', 'int-a'], ['pump-1', 'pump', 'int-a']]);
    assert.deepEqual(rows[1]?.entry, refused.entry);
    assert.ok((rows[1]?.seq ?? 0) > waiting.seq);
    const letter = await store.getDeadLetter(id);
    assert.deepEqual([letter?.state, letter?.replayCount], ['replayed', 1]);

    assert.deepEqual(await service.replay(id, BY), { id, ok: true, status: 'duplicate' });
    assert.equal((await store.readOutbox('tb', 0, 10)).length, 2, 'a second replay appends nothing');
  });

  it('replays retention dead letters in bulk; a payload that is not an outbox row fails and stays pending', async (t) => {
    const { store, service } = await setUp(t);
    assert.equal(await store.expireOutbox('tb', { olderThan: 0, maxRows: 0 }), 2);
    const letters = (await store.listDeadLetters({ state: 'pending' })).items;
    assert.deepEqual(letters.map((d) => [d.stage, d.errorCode]), [['forward', 'OUTBOX_RETENTION'], ['forward', 'OUTBOX_RETENTION']]);
    const results = await service.replayMany(letters.map((d) => d.id).reverse(), BY);
    assert.deepEqual(results.map((r) => r.status), ['requeued', 'requeued']);
    assert.deepEqual((await store.readOutbox('tb', 0, 10)).map((r) => r.deviceName), ['pump-1', 'pump-2'], 'in the order replayed');

    const [row] = await store.readOutbox('tb', 0, 1);
    const id = await store.rejectOutbox('tb', row?.seq ?? 0, 'PAYLOAD_INVALID', 'refused');
    assert.ok(id);
    // A payload edited by hand (or written by something else) that lacks the row's fields.
    const db = new DatabaseSync(store.path);
    db.prepare('UPDATE dead_letters SET payload = ? WHERE id = ?').run(new TextEncoder().encode('{"forwarder":"tb"}'), id);
    db.close();
    const failed = await service.replay(id, BY);
    assert.equal(failed.ok, false);
    assert.equal(failed.status, 'failed');
    assert.equal(failed.error?.code, 'PAYLOAD_INVALID');
    assert.equal((await store.getDeadLetter(id))?.state, 'pending');
    const audit = await store.listAudit({ entityKind: 'dead-letter' });
    assert.deepEqual(audit.map((e) => [e.actor, e.action, e.entityId, (e.after as { outcome: string }).outcome]),
      [...letters.map((d) => ['ops', 'replay', d.id, 'requeued'])], 'the failed replay is not recorded');
  });
});

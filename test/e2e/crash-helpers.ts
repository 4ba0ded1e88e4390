/** What crash tests read back from the store a killed Cloudbridge left behind. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openStore } from '../../src/store/index.ts';

/** Telemetry points stored in the data dir's database. */
export async function countStored(dir: string): Promise<number> {
  const store = await openStore({ sqlite: { path: join(dir, 'cloudbridge.db') } });
  try { return await store.countTelemetry(); } finally { await store.close(); }
}

/**
 * With one device per message, exactly-once means as many devices as messages and
 * `pointsPerMessage` telemetry points each: a lost message lacks its device, a duplicate adds points.
 */
export async function assertExactlyOnce(dir: string, messages: number, pointsPerMessage = 1): Promise<void> {
  const store = await openStore({ sqlite: { path: join(dir, 'cloudbridge.db') } });
  try {
    assert.equal(await store.countTelemetry(), messages * pointsPerMessage, `${pointsPerMessage} point(s) per message: nothing lost, nothing twice`);
    assert.equal((await store.listEntities({ kind: 'DEVICE', limit: 1 })).total, messages, 'one device per message');
  } finally {
    await store.close();
  }
}

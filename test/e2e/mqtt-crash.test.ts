/**
 * kill -9 of Cloudbridge mid-stream, then restart: every message is stored exactly once. The
 * broker holds what was not PUBACKed (persistent session) and redelivers it with the DUP flag;
 * what was committed but not yet PUBACKed is recognised by its content hash.
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startMosquitto, type MosquittoBroker } from '../peers/mosquitto.ts';
import { assertExactlyOnce, countStored } from './crash-helpers.ts';
import { spawnCloudbridge, stopAllChildren, waitFor, type ChildApp } from './harness.ts';
import { PER_MESSAGE_DECODER, mqttIntegrationYaml, publishSeq } from './fixtures.ts';

interface Status { counters: { stored: number } }
const TOTAL = 8000;


describe('mqtt crash recovery', () => {
  let broker: MosquittoBroker;
  let dir: string;
  let config: Record<string, unknown>;
  beforeEach(async () => {
    broker = await startMosquitto();
    dir = mkdtempSync(join(tmpdir(), 'cb-crash-'));
    config = parse(mqttIntegrationYaml({ port: broker.port, clientId: 'cb-crash', filter: 'crash/+', decoder: PER_MESSAGE_DECODER })) as Record<string, unknown>;
  });
  afterEach(async () => {
    await stopAllChildren();
    await broker.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  async function finishAndCount(child: ChildApp, publishing: ReturnType<typeof publishSeq>): Promise<void> {
    const pub = await publishing;
    await pub.endAsync();
    await waitFor(async () => (await child.api.get<{ total: number }>('/devices?limit=1')).total >= TOTAL, `all ${TOTAL} devices`, 120_000, 200);
    await new Promise((r) => setTimeout(r, 1000));
    await child.kill('SIGTERM');
    await assertExactlyOnce(dir, TOTAL);
  }

  for (const { connections, commitThread } of [{ connections: 1, commitThread: false }, { connections: 3, commitThread: false }, { connections: 1, commitThread: true }]) {
    it(`kill -9 mid-stream, then restart: every message stored exactly once (connections ${connections}${commitThread ? ', SQLite in its commit thread' : ''})`, async () => {
      const integration = (config.integrations as Array<{ config: Record<string, unknown> }>)[0];
      if (integration) integration.config.connections = connections;
      if (commitThread) config.store = { sqlite: { path: join(dir, 'cloudbridge.db'), commitThread } };
      let child = await spawnCloudbridge(dir, config);
      const publishing = publishSeq(broker.url, (i) => `crash/${i}`, 0, TOTAL, { window: 100, delayEvery: 200, delayMs: 5, clientId: `pub-crash-${connections}-${commitThread}` });
      await waitFor(async () => (await child.api.get<Status>('/integrations/plant/status')).counters.stored >= 2000, 'first 2000 stored', 60_000, 20);
      await child.kill('SIGKILL');
      const before = await countStored(dir);
      assert.ok(before >= 2000 && before < TOTAL, `killed mid-stream (stored ${before})`);
      child = await spawnCloudbridge(dir, config);
      await finishAndCount(child, publishing);
    });
  }

  it('a crash after a commit but before any PUBACK: the redelivered messages are not stored twice', async () => {
    let child = await spawnCloudbridge(dir, config, { CLOUDBRIDGE_FAULT: 'crash-after-commit:5' });
    const publishing = publishSeq(broker.url, (i) => `crash/${i}`, 0, TOTAL, { window: 100, delayEvery: 200, delayMs: 5, clientId: 'pub-crash2' });
    await new Promise<void>((resolve) => child.proc.once('exit', () => resolve()));
    const before = await countStored(dir);
    assert.ok(before > 0 && before < TOTAL, `crashed with committed but unacknowledged messages (stored ${before})`);
    child = await spawnCloudbridge(dir, config);
    await finishAndCount(child, publishing);
  });
});

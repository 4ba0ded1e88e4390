/**
 * kill -9 of Cloudbridge between store and send, then restart: nothing is lost on the way to
 * ThingsBoard. (1) The double holds its PUBACKs, so the forwarder has sent but may delete nothing
 * when it is killed: the restarted one sends again, and every point is in the time series (a
 * resend overwrites the same (key, ts)). (2) A crash right after a commit, before the forwarder
 * could send it: the outbox row was written in the data's transaction, so it is sent after the restart.
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMosquitto, type MosquittoBroker } from '../peers/mosquitto.ts';
import { startThingsBoardDouble, type ThingsBoardDouble } from '../peers/thingsboard/index.ts';
import { spawnCloudbridge, stopAllChildren, waitFor } from './harness.ts';
import { publishSeq } from './fixtures.ts';
import { expectedSeqs, forwarderStatus, forwardingConfig, seqSeries, seqsReceived } from './thingsboard-fixtures.ts';

const DEVICES = 4;
const TOTAL = 800;

describe('ThingsBoard forwarding survives kill -9', () => {
  let broker: MosquittoBroker;
  let tb: ThingsBoardDouble;
  let dir: string;
  beforeEach(async () => {
    broker = await startMosquitto();
    tb = await startThingsBoardDouble();
    dir = mkdtempSync(join(tmpdir(), 'cb-tb-crash-'));
  });
  afterEach(async () => {
    await stopAllChildren();
    await tb.dispose();
    await broker.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const allArrived = (): boolean => Array.from({ length: DEVICES }, (_, d) => seqSeries(tb, `dev-${d}`).length).every((n) => n === TOTAL / DEVICES);

  it('sent but not acknowledged when killed: sent again after the restart, nothing lost', async () => {
    const config = forwardingConfig({ brokerPort: broker.port, tb, clientId: 'cb-tb-crash-1' });
    let child = await spawnCloudbridge(dir, config);
    tb.holdPubacks(true);
    const pub = await publishSeq(broker.url, (i) => `tb/dev-${i % DEVICES}/up`, 0, TOTAL, { window: 100 });
    await pub.endAsync();
    await tb.waitFor(() => seqsReceived(tb, 'dev-0').length > 0, 30_000, 'the double received data (PUBACKs held)');
    await waitFor(async () => (await forwarderStatus(child.api)).outbox.depth > 0, 'rows still in the outbox while their PUBACKs are held');
    await child.kill('SIGKILL');
    tb.holdPubacks(false);
    child = await spawnCloudbridge(dir, config);
    await tb.waitFor(allArrived, 60_000, 'every point in the time series');
    for (let d = 0; d < DEVICES; d++) assert.deepEqual(seqSeries(tb, `dev-${d}`), expectedSeqs(d, DEVICES, 0, TOTAL), `dev-${d}: every point`);
    await waitFor(async () => (await forwarderStatus(child.api)).outbox.depth === 0, 'outbox empty after the restart');
  });

  it('killed right after a commit, before the forwarder sent it: sent after the restart', async () => {
    const config = forwardingConfig({ brokerPort: broker.port, tb, clientId: 'cb-tb-crash-2' });
    let child = await spawnCloudbridge(dir, config, { CLOUDBRIDGE_FAULT: 'crash-after-commit:3' });
    const publishing = publishSeq(broker.url, (i) => `tb/dev-${i % DEVICES}/up`, 0, TOTAL, { window: 50, clientId: 'pub-tb-crash-2' });
    await new Promise<void>((resolve) => child.proc.once('exit', () => resolve()));
    child = await spawnCloudbridge(dir, config);
    await (await publishing).endAsync();
    await tb.waitFor(allArrived, 60_000, 'every point in the time series');
    for (let d = 0; d < DEVICES; d++) assert.deepEqual(seqSeries(tb, `dev-${d}`), expectedSeqs(d, DEVICES, 0, TOTAL), `dev-${d}: every point`);
  });
});

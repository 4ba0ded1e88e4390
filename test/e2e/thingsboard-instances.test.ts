/**
 * Two Cloudbridge instances on one PostgreSQL database forward to one ThingsBoard: one gateway
 * connection at a time (the forwarder's lease), the other instance on standby; after kill -9 of
 * the holder the standby takes over and sends what the holder had not got acknowledged, so
 * nothing is lost.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startMosquitto, type MosquittoBroker } from '../peers/mosquitto.ts';
import { startThingsBoardDouble, type ThingsBoardDouble } from '../peers/thingsboard/index.ts';
import { spawnCloudbridge, stopAllChildren, waitFor, type ChildApp } from './harness.ts';
import { publishSeq } from './fixtures.ts';
import { expectedSeqs, forwarderStatus, forwardingConfig, seqSeries } from './thingsboard-fixtures.ts';

const SERVER = process.env.CLOUDBRIDGE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const DEVICES = 4;

describe('two instances on one PostgreSQL: one ThingsBoard connection, taken over after kill -9', () => {
  const admin = new pg.Pool({ connectionString: SERVER, max: 1 });
  const schema = `cb_tb_${randomBytes(4).toString('hex')}`;
  let broker: MosquittoBroker;
  let tb: ThingsBoardDouble;
  const dirs: string[] = [];
  let mostSessions = 0;

  before(async () => {
    await admin.query(`CREATE SCHEMA ${schema}`);
    broker = await startMosquitto();
    tb = await startThingsBoardDouble();
    tb.events.on('change', () => { mostSessions = Math.max(mostSessions, tb.sessions().length); });
  });
  after(async () => {
    await stopAllChildren();
    await tb.dispose();
    await broker.dispose();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  async function instance(config: Record<string, unknown>): Promise<ChildApp> {
    const dir = mkdtempSync(join(tmpdir(), 'cb-tb-pg-'));
    dirs.push(dir);
    return spawnCloudbridge(dir, config);
  }

  it('one connection at a time; the standby takes over and nothing is lost', async (t) => {
    const url = `${SERVER}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    // Both instances read the devices' topic as one shared subscription; a clean session ends with its connection.
    const config: Record<string, unknown> = { ...forwardingConfig({ brokerPort: broker.port, tb, clientId: 'unused' }), store: { postgres: { url } } };
    const integration = (config.integrations as Array<{ config: Record<string, unknown> }>)[0];
    if (integration) {
      delete integration.config.clientId;
      integration.config.cleanSession = true;
      integration.config.sharedGroup = 'cbtb';
    }
    const a = await instance(config);
    await waitFor(async () => (await forwarderStatus(a.api)).state === 'connected', 'the first instance connects');
    const b = await instance(config);
    const standby = await waitFor(async () => {
      const s = await forwarderStatus(b.api);
      return s.state === 'standby' ? s : null;
    }, 'the second instance stands by');
    assert.ok(standby.details?.holder, 'the standby names the holder');

    const first = await publishSeq(broker.url, (i) => `tb/dev-${i % DEVICES}/up`, 0, 400, { window: 100 });
    await first.endAsync();
    await tb.waitFor(() => seqSeries(tb, 'dev-3').length === 100, 30_000, 'the first 400 messages at the double');

    tb.holdPubacks(true);
    const second = await publishSeq(broker.url, (i) => `tb/dev-${i % DEVICES}/up`, 400, 800, { window: 100 });
    await second.endAsync();
    const stored = async (d: number): Promise<number> => (await b.api.get<Record<string, unknown[]>>(`/devices/dev-${d}/telemetry?keys=seq&limit=1000`)).seq?.length ?? 0;
    await waitFor(async () => (await Promise.all(Array.from({ length: DEVICES }, (_, d) => stored(d)))).every((n) => n === 200), 'all 800 messages stored (by either instance)');
    await waitFor(async () => (await forwarderStatus(a.api)).outbox.depth > 0, 'rows waiting for their PUBACK at the holder');
    const killedAt = Date.now();
    await a.kill('SIGKILL');
    tb.holdPubacks(false);
    await waitFor(async () => (await forwarderStatus(b.api)).state === 'connected', 'the standby takes over', 60_000, 200);
    t.diagnostic(`takeover after ${Date.now() - killedAt} ms`);
    await tb.waitFor(() => Array.from({ length: DEVICES }, (_, d) => seqSeries(tb, `dev-${d}`).length).every((n) => n === 200), 60_000, 'all 800 messages at the double');
    for (let d = 0; d < DEVICES; d++) assert.deepEqual(seqSeries(tb, `dev-${d}`), expectedSeqs(d, DEVICES, 0, 800), `dev-${d}: nothing lost`);
    assert.equal(mostSessions, 1, 'never two gateway connections at once');
  });
});

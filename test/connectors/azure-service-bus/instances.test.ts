/**
 * Cloudbridge processes against the Azure double (which runs in this test process): a kill -9
 * mid-stream, then a restart, stores every message exactly once (the killed instance's locks
 * went with its connection, so its messages came back at once with delivery count + 1); two
 * competing instances on one PostgreSQL database store each message once.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import pg from 'pg';
import { parse } from 'yaml';
import { openStore } from '../../../src/store/index.ts';
import { assertExactlyOnce, countStored } from '../../e2e/crash-helpers.ts';
import { spawnCloudbridge, waitFor, type ChildApp } from '../../e2e/harness.ts';
import { startAzureDouble, type AzureDouble } from '../../peers/azure/index.ts';
import { integrationYaml } from '../aws-common/fixtures.ts';
import { seqBodies } from './fixtures.ts';

const SERVER = process.env.CLOUDBRIDGE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const TOTAL = 3000;
const DECODER = "var d = decodeToJson(payload); return { deviceName: 'dev-' + d.seq, telemetry: { seq: d.seq } };";

interface Status { counters: { stored: number; duplicates: number } }

describe('azure-service-bus: Cloudbridge processes on the Azure double', () => {
  let double: AzureDouble;
  const children: ChildApp[] = [];
  const dirs: string[] = [];
  before(async () => {
    double = await startAzureDouble({ serviceBus: { queues: [{ name: 'crash', lockDurationMs: 30_000 }, { name: 'shared', lockDurationMs: 30_000 }] } });
  });
  after(() => double.stop());
  afterEach(async () => {
    for (const c of children.splice(0)) await c.kill('SIGKILL');
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  function config(queueName: string, store?: Record<string, unknown>): Record<string, unknown> {
    const yaml = integrationYaml({ type: 'azure-service-bus', name: 'bus', decoder: DECODER, encoder: 'return { contentType: "TEXT", data: "x", metadata: {} };', config: { connectionString: double.serviceBus.connectionString(), queueName } });
    return { ...(parse(yaml) as Record<string, unknown>), ...(store ? { store } : {}) };
  }

  async function spawn(dir: string, cfg: Record<string, unknown>): Promise<ChildApp> {
    const child = await spawnCloudbridge(dir, cfg);
    children.push(child);
    return child;
  }

  function load(queue: string): void {
    const bodies = seqBodies(0, TOTAL);
    for (let i = 0; i < TOTAL; i += 500) double.hooks.serviceBus.send(queue, bodies.slice(i, i + 500).map((body, j) => ({ body, messageId: `${queue}-${i + j}` })));
  }

  const stored = async (c: ChildApp): Promise<number> => (await c.api.get<Status>('/integrations/bus/status')).counters.stored;

  it('kill -9 mid-stream, then restart: every message stored exactly once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cb-sb-crash-'));
    dirs.push(dir);
    load('crash');
    let child = await spawn(dir, config('crash'));
    await waitFor(async () => (await stored(child)) >= 800, 'the first 800 stored', 60_000, 20);
    await child.kill('SIGKILL');
    const before = await countStored(dir);
    assert.ok(before >= 800 && before < TOTAL, `killed mid-stream (stored ${before})`);
    await waitFor(() => double.hooks.serviceBus.messages('crash').every((m) => m.lockToken === undefined), 'the dead instance\'s locks released with its connection');
    child = await spawn(dir, config('crash'));
    await waitFor(() => double.hooks.serviceBus.messages('crash').length === 0, 'the queue drained', 120_000, 200);
    await child.kill('SIGTERM');
    await assertExactlyOnce(dir, TOTAL, 1);
  });

  it('two competing instances on one PostgreSQL database store each message once', async () => {
    const admin = new pg.Pool({ connectionString: SERVER, max: 1 });
    const schema = `cb_sb_${randomBytes(4).toString('hex')}`;
    await admin.query(`CREATE SCHEMA ${schema}`);
    const url = `${SERVER}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    try {
      const a = await spawn(mkdtempSync(join(tmpdir(), 'cb-sb-pg-')), config('shared', { postgres: { url } }));
      const b = await spawn(mkdtempSync(join(tmpdir(), 'cb-sb-pg-')), config('shared', { postgres: { url } }));
      await waitFor(async () => (await Promise.all([a, b].map((c) => c.api.get<{ state: string }>('/integrations/bus/status')))).every((s) => s.state === 'RUNNING'), 'both instances receiving', 60_000, 100);
      load('shared');
      await waitFor(() => double.hooks.serviceBus.messages('shared').length === 0, 'the queue drained', 120_000, 200);
      const [sa, sb] = [await stored(a), await stored(b)];
      assert.ok(sa > 0 && sb > 0, `both instances consumed (${sa}, ${sb})`);
      await a.kill('SIGTERM');
      await b.kill('SIGTERM');
      const store = await openStore({ postgres: { url } });
      try {
        assert.equal(await store.countTelemetry(), TOTAL, 'one point per message: nothing twice');
        assert.equal((await store.listEntities({ kind: 'DEVICE', limit: 1 })).total, TOTAL, 'nothing lost');
      } finally {
        await store.close();
      }
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    }
  });
});

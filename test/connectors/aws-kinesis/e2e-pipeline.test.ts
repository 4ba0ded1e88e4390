/**
 * Cloudbridge (in this process) reading kinesalite through the whole pipeline: a split and a merge
 * mid-stream on SQLite (exactly once, and per partition key stored in put order), and a PostgreSQL
 * outage mid-stream (no checkpoint moves past what is stored; after recovery nothing is lost).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startApp } from '../../../src/app/app.ts';
import { parseConfigText } from '../../../src/app/config-file.ts';
import { startKinesalite, type KinesalitePeer } from '../../peers/kinesalite.ts';
import { startTcpProxy } from '../../support/tcp-proxy.ts';
import { startTestApp, TEST_MASTER_KEY, TEST_TOKEN, waitFor } from '../../e2e/harness.ts';
import { assertCheckpointsCovered, assertEachOnce, keepPutting, kinesisIntegrationYaml, shardCheckpoints, storedSeqs } from './e2e-fixtures.ts';
import { uniqueName } from './helpers.ts';

const SERVER = process.env.CLOUDBRIDGE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** One device per record, named `<key>:<n>`: devices are created in commit order. */
const PER_RECORD_DECODER = `
var d = decodeToJson(payload);
return { deviceName: d.key + ':' + d.n, deviceType: 'probe', telemetry: { n: d.n } };
`;

describe('aws-kinesis through the pipeline', () => {
  let peer: KinesalitePeer;
  before(async () => { peer = await startKinesalite(); });
  after(async () => { await peer.stop(); });

  it('a split and a merge mid-stream: every record stored once, and per partition key in put order', async () => {
    const stream = uniqueName('reshard');
    await peer.createStream(stream, 4);
    const dir = mkdtempSync(join(tmpdir(), 'cb-kinesis-reshard-'));
    const app = await startTestApp({ dir, yaml: kinesisIntegrationYaml(peer, stream, { decoder: PER_RECORD_DECODER, extra: { maxRecords: 25 } }) });
    const keys = 32;
    let n = 0;
    const rounds = async (count: number): Promise<void> => {
      for (let i = 0; i < count; i++, n++) {
        await peer.putAll(stream, Array.from({ length: keys }, (_, k) => ({ data: JSON.stringify({ key: `k${k}`, n }), partitionKey: `k${k}` })), 1);
      }
    };
    try {
      await rounds(15);
      const shards = (await peer.listShards(stream)).map((s) => s.ShardId as string);
      await peer.split(stream, shards[0] as string);
      await rounds(15);
      // Merge shards 2 and 3 (adjacent hash ranges).
      await peer.merge(stream, shards[2] as string, shards[3] as string);
      await rounds(15);
      await waitFor(async () => (await app.api.get<{ total: number }>('/devices?limit=1')).total >= keys * n, `${keys * n} devices`, 60_000, 200);
      const status = await app.api.get<{ details: { partitions: Array<{ partition: string; state: string; parents: string[] }> } }>('/integrations/stream/status');
      const children = status.details.partitions.filter((p) => p.parents.length > 0);
      assert.equal(children.length, 3, JSON.stringify(status.details.partitions));
    } finally {
      await app.close();
    }
    const db = new DatabaseSync(join(dir, 'cloudbridge.db'), { readOnly: true });
    const names = (db.prepare('SELECT name FROM entities ORDER BY seq').all() as Array<{ name: string }>).map((r) => r.name);
    db.close();
    rmSync(dir, { recursive: true, force: true });
    assert.equal(names.length, keys * n, 'one device per record: nothing lost, nothing twice');
    const next = new Map<string, number>();
    for (const name of names) {
      const [key, v] = name.split(':') as [string, string];
      assert.equal(Number(v), next.get(key) ?? 0, `key ${key}: record ${v} stored out of put order`);
      next.set(key, Number(v) + 1);
    }
  });

  it('a PostgreSQL outage mid-stream: no checkpoint moves past what is stored, and after recovery nothing is lost', async () => {
    const adminPool = new pg.Pool({ connectionString: SERVER, max: 1 });
    const schema = `cb_kinesis_outage_${randomBytes(4).toString('hex')}`;
    await adminPool.query(`CREATE SCHEMA ${schema}`);
    const target = new URL(SERVER);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const direct = { postgres: { url: `${SERVER}?options=${encodeURIComponent(`-c search_path=${schema}`)}` } };
    const viaProxy = new URL(SERVER);
    viaProxy.port = String(proxy.port);
    viaProxy.search = `?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    const stream = uniqueName('outage');
    await peer.createStream(stream, 4);
    const env = { ...process.env, CLOUDBRIDGE_ADMIN_TOKEN: TEST_TOKEN, CLOUDBRIDGE_MASTER_KEY: TEST_MASTER_KEY };
    const yaml = `store: { postgres: { url: "${viaProxy.href}" } }\nserver: { port: 0, host: 127.0.0.1 }\nlogging: { level: warn }\n${kinesisIntegrationYaml(peer, stream)}`;
    const app = await startApp({ config: parseConfigText(yaml, env), env, logWrite: () => undefined, storeProbeAfterQuietMs: 500 });
    const putter = keepPutting(peer, stream);
    const { put } = putter;
    try {
      const id = (await app.store.getIntegration('stream'))?.id ?? '';
      await waitFor(async () => (await storedSeqs(direct)).length > 1000, 'some stored', 30_000, 200);
      proxy.cut();
      const cutAt = Date.now();
      while (Date.now() - cutAt < 6000) {
        // While the database is unreachable for Cloudbridge, what it committed stays covered.
        const seqs = new Set(await storedSeqs(direct));
        assertCheckpointsCovered(await shardCheckpoints(direct, id), put, seqs);
        await new Promise((r) => setTimeout(r, 1000));
      }
      proxy.restore();
      await putter.stop();
      await waitFor(async () => (await storedSeqs(direct)).length >= put.length, `all ${put.length} stored after the outage`, 60_000, 500);
      await new Promise((r) => setTimeout(r, 1000));
      const seqs = await storedSeqs(direct);
      assertEachOnce(seqs, put.length);
      assertCheckpointsCovered(await shardCheckpoints(direct, id), put, new Set(seqs));
    } finally {
      await putter.stop().catch(() => undefined);
      proxy.restore();
      await app.close();
      await proxy.close();
      await adminPool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await adminPool.end();
    }
  });
});

/**
 * Two Cloudbridge processes with one integration on one PostgreSQL database reading a 4-shard
 * kinesalite stream while records keep arriving: they split the shards 2/2; after a kill -9 of one,
 * the other owns all four within the lease duration and stores again (the takeover time is
 * printed); an instance frozen (SIGSTOP) past its lease stores nothing when it resumes; overall
 * every record is stored exactly once.
 */
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { parse } from 'yaml';
import { startKinesalite, type KinesalitePeer } from '../../peers/kinesalite.ts';
import { spawnCloudbridge, waitFor, type ChildApp } from '../../e2e/harness.ts';
import { assertCheckpointsCovered, assertEachOnce, keepPutting, kinesisIntegrationYaml, shardCheckpoints, storedSeqs, type Putter } from './e2e-fixtures.ts';
import { uniqueName } from './helpers.ts';

const SERVER = process.env.CLOUDBRIDGE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const LEASE_SECONDS = 4;

interface Row { partition: string; state: string; ownedHere: boolean; owner: string | null; committed: number }
interface Status { state: string; counters: { stored: number; errors: number }; lastError: { code: string } | null; details?: { owner: string; shardsReadHere: number; partitions: Row[] } }

describe('aws-kinesis: two instances on one PostgreSQL database', () => {
  const admin = new pg.Pool({ connectionString: SERVER, max: 1 });
  let peer: KinesalitePeer;
  let schema: string;
  let url: string;
  const dirs: string[] = [];
  const children: ChildApp[] = [];
  let putter: Putter | null = null;
  before(async () => { peer = await startKinesalite(); });
  after(async () => {
    await peer.stop();
    await admin.end();
  });
  beforeEach(async () => {
    schema = `cb_kinesis_${randomBytes(4).toString('hex')}`;
    await admin.query(`CREATE SCHEMA ${schema}`);
    url = `${SERVER}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  });
  afterEach(async () => {
    await putter?.stop();
    putter = null;
    for (const child of children.splice(0)) {
      try { child.proc.kill('SIGCONT'); } catch { /* gone */ }
      await child.kill('SIGKILL');
    }
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  async function spawn(config: Record<string, unknown>): Promise<ChildApp> {
    const dir = mkdtempSync(join(tmpdir(), 'cb-kinesis-pg-'));
    dirs.push(dir);
    const child = await spawnCloudbridge(dir, config);
    children.push(child);
    return child;
  }

  const status = (c: ChildApp): Promise<Status> => c.api.get<Status>('/integrations/stream/status');
  const readHere = async (c: ChildApp): Promise<Row[]> => ((await status(c)).details?.partitions ?? []).filter((p) => p.ownedHere);

  /** keepPutting, stopped after each test. */
  function putWhileTesting(stream: string): Putter {
    putter = keepPutting(peer, stream);
    return putter;
  }

  async function twoInstances(): Promise<{ stream: string; a: ChildApp; b: ChildApp; config: Record<string, unknown> }> {
    const stream = uniqueName('pair');
    await peer.createStream(stream, 4);
    const config = { ...(parse(kinesisIntegrationYaml(peer, stream, { extra: { leaseDurationSeconds: LEASE_SECONDS } })) as Record<string, unknown>), store: { postgres: { url } } };
    const a = await spawn(config);
    const b = await spawn(config);
    await waitFor(async () => (await readHere(a)).length === 2 && (await readHere(b)).length === 2, 'a 2/2 split of the 4 shards', 30_000, 100);
    return { stream, a, b, config };
  }

  async function finish(putting: Putter, survivor: ChildApp): Promise<void> {
    const put = await putting.stop();
    const store = { postgres: { url } };
    await waitFor(async () => (await storedSeqs(store)).length >= put.length, `all ${put.length} stored`, 90_000, 500);
    await new Promise((r) => setTimeout(r, 1500));
    const id = (await survivor.api.get<{ id: string }>('/integrations/stream')).id;
    const seqs = await storedSeqs(store);
    assertEachOnce(seqs, put.length);
    assertCheckpointsCovered(await shardCheckpoints(store, id), put, new Set(seqs));
  }

  it('split the shards 2/2; kill -9 one: the other owns all 4 within the lease duration and stores again; exactly once', async () => {
    const { stream, a, b } = await twoInstances();
    const putting = putWhileTesting(stream);
    await waitFor(async () => (await status(a)).counters.stored > 500 && (await status(b)).counters.stored > 500, 'both store', 30_000, 100);
    const aShards = (await readHere(a)).map((r) => r.partition);
    const committedBefore = new Map((await status(b)).details?.partitions.map((r) => [r.partition, r.committed]));
    const killedAt = Date.now();
    await a.kill('SIGKILL');
    let ownsAllAt = 0;
    await waitFor(async () => {
      const rows = await readHere(b);
      if (rows.length === 4 && ownsAllAt === 0) ownsAllAt = Date.now();
      return rows.length === 4 && aShards.every((s) => (rows.find((r) => r.partition === s)?.committed ?? 0) > (committedBefore.get(s) ?? 0));
    }, 'b owns and stores all 4 shards', 30_000, 25);
    const storesAgainAt = Date.now();
    console.log(`takeover after kill -9: b owned all 4 shards after ${ownsAllAt - killedAt} ms and stored from ${aShards.join(', ')} after ${storesAgainAt - killedAt} ms (leaseDurationSeconds ${LEASE_SECONDS})`);
    // Within the lease duration of its last renewal (plus a second for the scheduling of a loaded machine).
    assert.ok(ownsAllAt - killedAt <= LEASE_SECONDS * 1000 + 1000, `owned within the lease duration: ${ownsAllAt - killedAt} ms`);
    await finish(putting, b);
  });

  it('an instance frozen (SIGSTOP) past its lease, right before a commit, stores nothing when it resumes (SIGCONT)', async () => {
    const stream = uniqueName('frozen');
    await peer.createStream(stream, 4);
    const config = { ...(parse(kinesisIntegrationYaml(peer, stream, { extra: { leaseDurationSeconds: LEASE_SECONDS } })) as Record<string, unknown>), store: { postgres: { url } } };
    const b = await spawn(config);
    const putting = putWhileTesting(stream);
    await waitFor(async () => (await status(b)).counters.stored > 300, 'b stores', 30_000, 100);
    // a freezes itself right before its 40th commit: converted, checkpoints ready, not committed.
    const dir = mkdtempSync(join(tmpdir(), 'cb-kinesis-pg-'));
    dirs.push(dir);
    const a = await spawnCloudbridge(dir, config, { CLOUDBRIDGE_FAULT: 'stop-before-commit:40' });
    children.push(a);
    const frozen = (): boolean => / T /.test(readFileSync(`/proc/${a.proc.pid}/stat`, 'utf8').replace(/^\d+ \(.*?\)/, ''));
    await waitFor(() => frozen(), 'a frozen before a commit', 60_000, 50);
    const frozenAt = Date.now();
    await waitFor(async () => (await readHere(b)).length === 4, 'b takes all 4 over', 30_000, 50);
    console.log(`takeover of a frozen instance: b owned all 4 shards ${Date.now() - frozenAt} ms after a froze`);
    a.proc.kill('SIGCONT');
    // Its pending commit carries its old lease tokens: refused as a whole (LEASE_LOST).
    await waitFor(async () => (await status(a)).lastError?.code === 'LEASE_LOST', 'a\'s late commit refused with LEASE_LOST', 30_000, 100);
    await waitFor(async () => (await readHere(a)).length === 2 && (await readHere(b)).length === 2, 'balanced again', 60_000, 100);
    await finish(putting, b);
  });
});

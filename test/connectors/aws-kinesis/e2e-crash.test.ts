/**
 * Cloudbridge as a child process on SQLite reading a 4-shard kinesalite stream: 20,000 records
 * exactly once through a kill -9 mid-stream and a restart. The checkpoint is committed with the
 * data, so the restarted instance resumes right after what is stored (after the dead instance's
 * leases expire), nothing is lost and nothing stored twice.
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startKinesalite, type KinesalitePeer, type PutResult } from '../../peers/kinesalite.ts';
import { spawnCloudbridge, waitFor, type ChildApp } from '../../e2e/harness.ts';
import { assertCheckpointsCovered, assertEachOnce, kinesisIntegrationYaml, seqRecords, shardCheckpoints, storedSeqs } from './e2e-fixtures.ts';
import { uniqueName } from './helpers.ts';

interface Status { counters: { stored: number; duplicates: number }; details?: { partitions: Array<{ partition: string; state: string }> } }
const TOTAL = 20_000;

describe('aws-kinesis crash recovery', () => {
  let peer: KinesalitePeer;
  let dir: string;
  const children: ChildApp[] = [];
  beforeEach(async () => {
    peer = await startKinesalite();
    dir = mkdtempSync(join(tmpdir(), 'cb-kinesis-crash-'));
  });
  afterEach(async () => {
    for (const child of children.splice(0)) await child.kill('SIGKILL');
    await peer.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('20,000 records on 4 shards, kill -9 mid-stream, restart: every record stored exactly once', async () => {
    const stream = uniqueName('crash');
    await peer.createStream(stream, 4);
    const config = parse(kinesisIntegrationYaml(peer, stream, { extra: { maxRecords: 500 } })) as Record<string, unknown>;
    const store = { sqlite: { path: join(dir, 'cloudbridge.db') } };
    const put: PutResult[] = await peer.putAll(stream, seqRecords(0, TOTAL / 2));
    let child = await spawnCloudbridge(dir, config);
    children.push(child);
    // More records arrive while it runs (and while it is down).
    const putting = (async () => {
      for (let from = TOTAL / 2; from < TOTAL; from += 500) {
        put.push(...await peer.putAll(stream, seqRecords(from, from + 500)));
        await new Promise((r) => setTimeout(r, 40));
      }
    })();
    await waitFor(async () => (await child.api.get<Status>('/integrations/stream/status')).counters.stored >= 4000, 'first 4000 stored', 60_000, 20);
    await child.kill('SIGKILL');
    const before = (await storedSeqs(store)).length;
    assert.ok(before >= 4000 && before < TOTAL, `killed mid-stream (stored ${before})`);
    child = await spawnCloudbridge(dir, config);
    children.push(child);
    await putting;
    await waitFor(async () => (await storedSeqs(store)).length >= TOTAL, `all ${TOTAL} stored`, 120_000, 500);
    await new Promise((r) => setTimeout(r, 1000));
    const id = (await child.api.get<{ id: string }>('/integrations/stream')).id;
    await child.kill('SIGTERM');
    const seqs = await storedSeqs(store);
    assertEachOnce(seqs, TOTAL);
    assertCheckpointsCovered(await shardCheckpoints(store, id), put, new Set(seqs));
  });
});

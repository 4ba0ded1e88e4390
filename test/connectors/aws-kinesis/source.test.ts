/**
 * The aws-kinesis source on kinesalite with in-memory leases and a store that commits the
 * checkpoint with the data (test/support/memory-leases.ts): reading, checkpoints, resuming,
 * resharding and store outages, one instance.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startKinesalite, type KinesalitePeer } from '../../peers/kinesalite.ts';
import { checkKeyed, createInstance, keyedRecords, peerConfig, shared, uniqueName, until } from './helpers.ts';

describe('aws-kinesis source on kinesalite', () => {
  let peer: KinesalitePeer;
  before(async () => { peer = await startKinesalite(); });
  after(async () => { await peer.stop(); });

  it('reads every record of a 4-shard stream once, with its metadata, and checkpoints each shard', async () => {
    const stream = uniqueName('read');
    await peer.createStream(stream, 4);
    const put = await peer.putAll(stream, keyedRecords(8, 50));
    const s = shared();
    const { source } = createInstance(peerConfig(peer, stream), s);
    await source.start();
    try {
      await until(() => s.store.stored.length >= 400, '400 stored');
      assert.equal(checkKeyed(s.store.stored, 8, 50), null);
      const first = s.store.stored.find((m) => m.metadata.sequenceNumber === put[0]?.sequenceNumber);
      assert.ok(first, 'the first record put was stored');
      assert.equal(first.metadata.streamName, stream);
      assert.equal(first.metadata.shardId, put[0]?.shardId);
      assert.equal(first.metadata.partitionKey, 'k0');
      assert.equal(first.metadata.subSequenceNumber, '0');
      assert.equal(first.sourceKey, `${put[0]?.shardId}/${put[0]?.sequenceNumber}`);
      assert.ok(Math.abs(Number(first.metadata.approximateArrivalTimestamp) - Date.now()) < 60_000);
      assert.equal(first.sourceTimestamp, Number(first.metadata.approximateArrivalTimestamp));
      const lastPerShard = new Map<string, string>();
      for (const p of put) lastPerShard.set(p.shardId, p.sequenceNumber);
      for (const [shardId, seq] of lastPerShard) assert.equal(s.leases.checkpointOf(`kinesis-test/${stream}/${shardId}`), seq, `checkpoint of ${shardId}`);
      const status = source.status() as { shards: Array<{ shardId: string; state: string; ownedHere: boolean; checkpoint: string }> };
      assert.equal(status.shards.length, 4);
      assert.ok(status.shards.every((sh) => sh.state === 'reading' && sh.ownedHere));
    } finally {
      await source.stop();
    }
    assert.ok([...s.leases.leases.values()].every((l) => l.owner === null), 'stop released every lease');
  });

  it('resumes right after the checkpoint: a restarted instance stores only what is new', async () => {
    const stream = uniqueName('resume');
    await peer.createStream(stream, 2);
    await peer.putAll(stream, keyedRecords(4, 100));
    const s = shared();
    const first = createInstance(peerConfig(peer, stream), s);
    await first.source.start();
    await until(() => s.store.stored.length >= 400, 'first 400');
    await first.source.stop();
    await peer.putAll(stream, keyedRecords(4, 100, 100));
    const second = createInstance(peerConfig(peer, stream), s);
    await second.source.start();
    try {
      await until(() => s.store.stored.length >= 800, 'all 800');
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(checkKeyed(s.store.stored, 4, 200), null);
      assert.equal(s.store.duplicates, 0, 'nothing was delivered twice');
    } finally {
      await second.source.stop();
    }
  });

  it('a split and a merge mid-stream: exactly once, and per partition key in put order', async () => {
    const stream = uniqueName('reshard');
    await peer.createStream(stream, 2);
    const s = shared();
    const { source, ctx } = createInstance(peerConfig(peer, stream, { maxRecords: 20 }), s);
    // A slow store: the parents are still behind when their children get records.
    ctx.mode = (_batch, call) => { setTimeout(() => call.resolve(), 15); };
    await source.start();
    try {
      const keys = 16;
      // Put one round at a time (a round = one record per key), so the put order per key is fixed.
      let n = 0;
      const putRounds = async (rounds: number): Promise<void> => {
        for (let i = 0; i < rounds; i++, n++) await peer.putAll(stream, keyedRecords(keys, 1, n), 1);
      };
      await putRounds(20);
      const [a, b] = (await peer.listShards(stream)).map((sh) => sh.ShardId as string);
      await peer.split(stream, a as string);
      await putRounds(20);
      const children = (await peer.listShards(stream)).filter((sh) => sh.ParentShardId === a).map((sh) => sh.ShardId as string);
      assert.equal(children.length, 2);
      // Merge the second child with its neighbour b (adjacent hash ranges).
      await peer.merge(stream, children[1] as string, b as string);
      await putRounds(20);
      await until(() => s.store.stored.length >= keys * 60, `${keys * 60} stored`, 30_000);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(checkKeyed(s.store.stored, keys, 60), null);
      const states = (source.status() as { shards: Array<{ shardId: string; state: string }> }).shards;
      assert.ok(states.filter((sh) => sh.state === 'reading').length >= 2, JSON.stringify(states));
    } finally {
      await source.stop();
    }
  });
});

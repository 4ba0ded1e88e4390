/**
 * The aws-kinesis source on kinesalite with in-memory leases and a store that commits the
 * checkpoint with the data (test/support/memory-leases.ts): reading, checkpoints, resuming,
 * resharding and store outages, one instance.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-kinesis';
import { awsKinesisConnector } from '../../../src/connectors/aws-kinesis/definition.ts';
import { startKinesalite, type KinesalitePeer } from '../../peers/kinesalite.ts';
import { checkKeyed, createInstance, keyedRecords, peerConfig, shared, uniqueName, until } from './helpers.ts';
import { kplAggregate } from './kpl-records.ts';

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
      const status = source.status() as { partitions: Array<{ shardId: string; state: string; ownedHere: boolean; checkpoint: string }> };
      assert.equal(status.partitions.length, 4);
      assert.ok(status.partitions.every((sh) => sh.state === 'reading' && sh.ownedHere));
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
      const states = (source.status() as { partitions: Array<{ shardId: string; state: string }> }).partitions;
      assert.ok(states.filter((sh) => sh.state === 'reading').length >= 2, JSON.stringify(states));
    } finally {
      await source.stop();
    }
  });

  it('a store outage mid-stream: no checkpoint moves past what is stored, and after recovery nothing is lost', async () => {
    const stream = uniqueName('outage');
    await peer.createStream(stream, 4);
    await peer.putAll(stream, keyedRecords(16, 25));
    const s = shared();
    const { source, ctx } = createInstance(peerConfig(peer, stream, { maxRecords: 50 }), s);
    await source.start();
    try {
      await until(() => s.store.stored.length >= 100, 'some stored');
      ctx.mode = 'reject';
      await peer.putAll(stream, keyedRecords(16, 25, 25));
      const storedAtOutage = s.store.stored.length;
      const deadline = Date.now() + 2500;
      while (Date.now() < deadline) {
        // Every checkpoint is the position of a stored message of its shard.
        for (const l of s.leases.leases.values()) {
          if (l.checkpoint === null) continue;
          const shardId = l.meta.shardId as string;
          assert.ok(s.store.stored.some((m) => m.metadata.shardId === shardId && m.metadata.sequenceNumber === l.checkpoint), `checkpoint ${l.checkpoint} of ${shardId} is a stored record`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(s.store.stored.length < 800 && s.store.stored.length === storedAtOutage, 'nothing stored during the outage');
      const rewinds = (source.status() as { partitions: Array<{ rewinds: number }> }).partitions.reduce((n, p) => n + p.rewinds, 0);
      assert.ok(rewinds > 0, 'readers rewound to their checkpoints');
      ctx.mode = 'resolve';
      await until(() => s.store.stored.length >= 800, 'all 800 after recovery', 30_000);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(checkKeyed(s.store.stored, 16, 50), null);
    } finally {
      await source.stop();
    }
  });

  it('KPL-aggregated records are stored one by one, each with its own partition key and sub-sequence number', async () => {
    const stream = uniqueName('kpl');
    await peer.createStream(stream, 2);
    const aggregates = Array.from({ length: 10 }, (_, a) => ({
      data: kplAggregate(Array.from({ length: 25 }, (_, u) => ({ partitionKey: `dev-${u % 5}`, data: JSON.stringify({ a, u }) }))),
      partitionKey: `agg-${a}`,
    }));
    await peer.putAll(stream, [...aggregates, { data: 'plain', partitionKey: 'p' }]);
    const s = shared();
    const { source } = createInstance(peerConfig(peer, stream), s);
    await source.start();
    try {
      await until(() => s.store.stored.length >= 251, '250 user records and 1 plain record');
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(s.store.stored.length, 251);
      const user = s.store.stored.filter((m) => m.metadata.aggregated === 'true');
      assert.equal(new Set(user.map((m) => m.sourceKey)).size, 250);
      const first = user.find((m) => Buffer.from(m.payload).toString() === '{"a":0,"u":7}');
      assert.equal(first?.metadata.partitionKey, 'dev-2');
      assert.equal(first?.metadata.subSequenceNumber, '7');
      assert.match(first?.sourceKey ?? '', /^shardId-\d+\/\d+\/7$/);
      assert.equal(s.store.texts().filter((t) => t === 'plain').length, 1);
    } finally {
      await source.stop();
    }
  });

  it('testConnection checks credentials and the stream without reading a record', async () => {
    const stream = uniqueName('check');
    await peer.createStream(stream, 1);
    const [put] = await peer.putAll(stream, [{ data: 'still there', partitionKey: 'k' }]);
    const ok = await awsKinesisConnector.testConnection(peerConfig(peer, stream, { downlinkStreamName: stream }), AbortSignal.timeout(20_000));
    assert.equal(ok.ok, true, JSON.stringify(ok));
    assert.deepEqual(ok.checks.map((c) => c.name), ['credentials', 'stream', 'shards', 'read', 'downlink stream']);
    const missing = await awsKinesisConnector.testConnection(peerConfig(peer, 'no-such-stream'), AbortSignal.timeout(20_000));
    assert.equal(missing.ok, false);
    assert.equal(missing.error?.code, 'NOT_FOUND');
    assert.match(missing.error?.message ?? '', /check streamName and region/);
    const refused = await awsKinesisConnector.testConnection({ ...peerConfig(peer, stream), endpoint: 'http://127.0.0.1:1' }, AbortSignal.timeout(20_000));
    assert.equal(refused.error?.code, 'CONNECTION_FAILED');
    // The record is still there for a real consumer.
    const it = await peer.kinesis.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: put?.shardId, ShardIteratorType: 'TRIM_HORIZON' }));
    const out = await peer.kinesis.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator }));
    assert.equal(out.Records?.length, 1);
  });

  it('sends a downlink with PutRecord, keyed by the device name', async () => {
    const stream = uniqueName('down');
    const commands = uniqueName('commands');
    await peer.createStream(stream, 1);
    await peer.createStream(commands, 1);
    const s = shared();
    const { source } = createInstance(peerConfig(peer, stream, { downlinkStreamName: commands }), s);
    await source.start();
    try {
      await source.sendDownlink({ contentType: 'JSON', data: Buffer.from('{"method":"reboot"}'), metadata: { deviceName: 'dev-9' } }, AbortSignal.timeout(10_000));
      const shardId = (await peer.listShards(commands))[0]?.ShardId;
      const it = await peer.kinesis.send(new GetShardIteratorCommand({ StreamName: commands, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }));
      const out = await peer.kinesis.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator }));
      assert.equal(out.Records?.length, 1);
      assert.equal(out.Records?.[0]?.PartitionKey, 'dev-9');
      assert.equal(Buffer.from(out.Records?.[0]?.Data ?? []).toString(), '{"method":"reboot"}');
    } finally {
      await source.stop();
    }
    const { source: noDown } = createInstance(peerConfig(peer, stream), s);
    await assert.rejects(noDown.sendDownlink({ contentType: 'JSON', data: Buffer.from('x'), metadata: { deviceName: 'd' } }), { code: 'DOWNLINK_UNSUPPORTED' });
  });
});

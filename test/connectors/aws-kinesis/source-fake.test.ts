/** The aws-kinesis source on a fake Kinesis: start failures, throttling warnings, state reports. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolveKinesisConfig } from '../../../src/connectors/aws-kinesis/config-spec.ts';
import { KinesisSource } from '../../../src/connectors/aws-kinesis/kinesis-source.ts';
import { createPartitionedTestContext, MemoryCheckpointedStore, MemoryLeaseStore } from '../../support/memory-leases.ts';
import { awsError, FakeKinesisApi } from './fake-kinesis.ts';
import { until } from './helpers.ts';

function setup(): { api: FakeKinesisApi; source: KinesisSource; ctx: ReturnType<typeof createPartitionedTestContext>; store: MemoryCheckpointedStore; leases: MemoryLeaseStore } {
  const api = new FakeKinesisApi();
  const leases = new MemoryLeaseStore();
  const store = new MemoryCheckpointedStore(leases);
  const ctx = createPartitionedTestContext({ leases, store });
  const config = resolveKinesisConfig({ streamName: 'telemetry', region: 'eu-west-1', initialPosition: 'TRIM_HORIZON', pollIntervalMs: 200, leaseDurationSeconds: 3 }, 'plant');
  return { api, ctx, store, leases, source: new KinesisSource({ config, createApi: () => api, random: () => 0, owner: 'me' }, ctx) };
}

describe('aws-kinesis source (fake Kinesis)', () => {
  it('a missing stream fails the start with NOT_FOUND and the fix; nothing keeps running', async () => {
    const { api, source, ctx } = setup();
    api.fail('DescribeStreamSummary', awsError('ResourceNotFoundException', 'Stream telemetry under account 123 not found.'));
    await assert.rejects(source.start(), { code: 'NOT_FOUND', message: /check streamName and region \(eu-west-1\)/ });
    assert.deepEqual(ctx.states.map((s) => s.state), ['connecting', 'disconnected']);
    assert.equal(api.destroyed, true);
  });

  it('warns once a minute about throttling and counts every throttled call per shard', async () => {
    const { api, source, ctx, store } = setup();
    api.addShard('shardId-000000000000');
    api.put('shardId-000000000000', 'a', 'b');
    api.fail('GetRecords', awsError('ProvisionedThroughputExceededException'), awsError('ProvisionedThroughputExceededException'));
    await source.start();
    try {
      await until(() => store.stored.length === 2, 'both stored after the backoff');
      assert.deepEqual(ctx.warnings.map((w) => w.code), ['KINESIS_THROTTLED']);
      assert.match(ctx.warnings[0]?.message ?? '', /shard shardId-000000000000.*raise pollIntervalMs/);
      const row = (source.status() as { partitions: Array<{ throttled: number; state: string; owner: string }> }).partitions[0];
      assert.equal(row?.throttled, 2);
      assert.equal(row?.state, 'reading');
    } finally {
      await source.stop();
    }
  });

  it('reports disconnected with the translated error while reads fail, and connected when they work again', async () => {
    const { api, source, ctx, store } = setup();
    api.addShard('shardId-000000000000');
    api.put('shardId-000000000000', 'a');
    api.fail('GetShardIterator', awsError('AccessDeniedException', 'User: x is not authorized to perform: kinesis:GetShardIterator'));
    await source.start();
    try {
      await until(() => store.stored.length === 1, 'stored after the retry');
      await until(() => ctx.states.at(-1)?.state === 'connected', 'connected again');
      const down = ctx.states.find((s) => s.state === 'disconnected');
      assert.match(String((down?.error as Error | undefined)?.message), /may not call kinesis:GetShardIterator.*grant kinesis:DescribeStreamSummary/);
    } finally {
      await source.stop();
    }
  });

  it('a reader whose commit was fenced out stops, and the shard is claimed again once it is free', async () => {
    const { api, source, ctx, store, leases } = setup();
    api.addShard('shardId-000000000000');
    api.put('shardId-000000000000', 'a');
    ctx.mode = 'hold';
    await source.start();
    try {
      await until(() => ctx.pending().length === 1, 'a delivery waits');
      const partition = 'plant/telemetry/shardId-000000000000';
      const stolen = await leases.claim(partition, 'thief', 1, 60_000);
      assert.ok(stolen);
      ctx.mode = 'resolve';
      ctx.settleAll();
      await until(() => (source.status() as { shardsReadHere: number }).shardsReadHere === 0, 'the fenced reader is gone');
      assert.equal(store.refused, 1);
      assert.equal(store.stored.length, 0, 'nothing of the fenced delivery was stored');
      await leases.release(partition, { owner: 'thief', token: stolen.token });
      await until(() => (source.status() as { shardsReadHere: number }).shardsReadHere === 1, 'claimed again', 5000);
      await until(() => store.stored.length === 1, 'stored by the new reader');
    } finally {
      await source.stop();
    }
  });

  it('keeps cycling through a store outage: leases that expired meanwhile are claimed again afterwards', async () => {
    const { api, source, store, leases } = setup();
    api.addShard('shardId-000000000000');
    api.put('shardId-000000000000', 'a');
    await source.start();
    try {
      await until(() => store.stored.length === 1, 'first record stored');
      leases.failWith = new Error('database unreachable');
      await until(() => (source.status() as { shardsReadHere: number }).shardsReadHere === 0, 'the reader stops once its lease expired unrenewed', 6000);
      api.put('shardId-000000000000', 'b');
      leases.failWith = null;
      await until(() => (source.status() as { shardsReadHere: number }).shardsReadHere === 1, 'claimed again', 5000);
      await until(() => store.stored.length === 2, 'the new record stored');
      assert.deepEqual(store.texts(), ['a', 'b']);
    } finally {
      leases.failWith = null;
      await source.stop();
    }
  });

  it('a lease in its own name that no reader holds (an earlier run with the same owner id) is claimed at once', async () => {
    const { api, source, store, leases } = setup();
    api.addShard('shardId-000000000000');
    const [first] = api.put('shardId-000000000000', 'old', 'new');
    const partition = 'plant/telemetry/shardId-000000000000';
    await leases.ensure([{ partition, meta: { shardId: 'shardId-000000000000', parents: '' } }]);
    const earlier = await leases.claim(partition, 'me', 0, 60_000);
    await leases.checkpoint(partition, { owner: 'me', token: earlier?.token ?? 0 }, first as string);
    await source.start();
    try {
      await until(() => store.stored.length === 1, 'read from the checkpoint without waiting for the old lease to expire', 3000);
      assert.deepEqual(store.texts(), ['new']);
      assert.equal(leases.leases.get(partition)?.token, 2, 'claimed with a new token');
    } finally {
      await source.stop();
    }
  });

  it('a shard claimed just as another instance finished it (checkpoint SHARD_END) is given back, not read again', async () => {
    const { api, source, store, leases } = setup();
    api.addShard('shardId-000000000000', { closed: true });
    api.put('shardId-000000000000', 'read elsewhere');
    const partition = 'plant/telemetry/shardId-000000000000';
    const claim = leases.claim.bind(leases);
    leases.claim = async (p, owner, token, ttl) => {
      // Between this instance's list and its claim, the other instance wrote SHARD_END and released.
      if (p === partition) leases.leases.get(p)!.checkpoint = 'SHARD_END';
      return claim(p, owner, token, ttl);
    };
    await source.start();
    try {
      await until(() => leases.leases.get(partition)?.owner === null && (leases.leases.get(partition)?.token ?? 0) > 0, 'claimed and given back');
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(store.stored.length, 0, 'nothing read again');
      assert.equal(api.calls.filter((c) => c.op === 'GetShardIterator').length, 0);
    } finally {
      await source.stop();
    }
  });
});

/** The aws-kinesis source on a fake Kinesis: start failures, throttling warnings, state reports. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolveKinesisConfig } from '../../../src/connectors/aws-kinesis/config-spec.ts';
import { KinesisSource } from '../../../src/connectors/aws-kinesis/kinesis-source.ts';
import { createPartitionedTestContext, MemoryCheckpointedStore, MemoryLeaseStore } from '../../support/memory-leases.ts';
import { awsError, FakeKinesisApi } from './fake-kinesis.ts';
import { until } from './helpers.ts';

function setup(): { api: FakeKinesisApi; source: KinesisSource; ctx: ReturnType<typeof createPartitionedTestContext>; store: MemoryCheckpointedStore } {
  const api = new FakeKinesisApi();
  const leases = new MemoryLeaseStore();
  const store = new MemoryCheckpointedStore(leases);
  const ctx = createPartitionedTestContext({ leases, store });
  const config = resolveKinesisConfig({ streamName: 'telemetry', region: 'eu-west-1', initialPosition: 'TRIM_HORIZON', pollIntervalMs: 200, leaseDurationSeconds: 3 }, 'plant');
  return { api, ctx, store, source: new KinesisSource({ config, createApi: () => api, random: () => 0 }, ctx) };
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
});

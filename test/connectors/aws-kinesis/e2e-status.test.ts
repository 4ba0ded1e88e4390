/**
 * An aws-kinesis integration in Cloudbridge (this process, SQLite) as an operator sees it: the
 * status lists every shard with its owner, state, checkpoint and MillisBehindLatest; /metrics has
 * the per-shard gauges; a downlink queued through the API is put on the downlink stream.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-kinesis';
import { startKinesalite, type KinesalitePeer } from '../../peers/kinesalite.ts';
import { startTestApp, TEST_TOKEN, waitFor, type TestApp } from '../../e2e/harness.ts';
import { kinesisIntegrationYaml, seqRecords } from './e2e-fixtures.ts';
import { uniqueName } from './helpers.ts';

interface Row { partition: string; state: string; owner: string | null; ownedHere: boolean; checkpoint: string | null; millisBehindLatest: number | null; committed: number }
interface Status { state: string; counters: { stored: number }; details: { owner: string; streamName: string; shardsReadHere: number; partitions: Row[] } }

describe('aws-kinesis integration: status, metrics, downlink', () => {
  let peer: KinesalitePeer;
  let app: TestApp;
  let stream: string;
  let commands: string;
  before(async () => {
    peer = await startKinesalite();
    stream = uniqueName('status');
    commands = uniqueName('commands');
    await peer.createStream(stream, 2);
    await peer.createStream(commands, 1);
    app = await startTestApp({ yaml: kinesisIntegrationYaml(peer, stream, { extra: { downlinkStreamName: commands } }) });
  });
  after(async () => {
    await app.close();
    await peer.stop();
  });

  it('lists each shard with its owner, state, checkpoint and lag, and exports them as gauges', async () => {
    await peer.putAll(stream, seqRecords(0, 200));
    await waitFor(async () => (await app.api.get<Status>('/integrations/stream/status')).counters.stored >= 200, '200 stored', 30_000);
    const status = await app.api.get<Status>('/integrations/stream/status');
    assert.equal(status.state, 'RUNNING');
    assert.equal(status.details.streamName, stream);
    assert.equal(status.details.shardsReadHere, 2);
    for (const row of status.details.partitions) {
      assert.equal(row.state, 'reading');
      assert.equal(row.owner, status.details.owner);
      assert.match(row.checkpoint ?? '', /^\d+$/);
      assert.equal(row.millisBehindLatest, 0);
    }
    assert.equal(status.details.partitions.reduce((n, r) => n + r.committed, 0), 200);
    const metrics = await fetch(`${app.url}/metrics`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } }).then((r) => r.text());
    const shard = status.details.partitions[0]?.partition ?? '';
    const labels = `integration="stream",type="aws-kinesis",partition="${shard}"`;
    assert.match(metrics, new RegExp(`cloudbridge_partition_info\\{${labels},owner="${status.details.owner}",state="reading"\\} 1`));
    assert.match(metrics, new RegExp(`cloudbridge_partition_read_here\\{${labels}\\} 1`));
    assert.match(metrics, new RegExp(`cloudbridge_partition_lag_seconds\\{${labels}\\} 0`));
    assert.match(metrics, new RegExp(`cloudbridge_partition_committed_total\\{${labels}\\} \\d+`));
    assert.match(metrics, new RegExp(`cloudbridge_partition_throttled_total\\{${labels}\\} 0`));
  });

  it('puts a downlink on downlinkStreamName, keyed by the device name', async () => {
    const res = await app.api.post<{ id: string }>('/devices/dev-3/downlink', { msgType: 'reboot', msg: { delay: 5 } });
    await waitFor(async () => (await app.api.get<{ status: string }>(`/downlinks/${res.id}`)).status === 'sent', 'downlink sent', 20_000);
    const shardId = (await peer.listShards(commands))[0]?.ShardId;
    const it = await peer.kinesis.send(new GetShardIteratorCommand({ StreamName: commands, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }));
    const out = await peer.kinesis.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator }));
    assert.equal(out.Records?.length, 1);
    assert.equal(out.Records?.[0]?.PartitionKey, 'dev-3');
    assert.deepEqual(JSON.parse(Buffer.from(out.Records?.[0]?.Data ?? []).toString()), { method: 'reboot', params: { delay: 5 } });
  });
});

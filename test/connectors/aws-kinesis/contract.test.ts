/**
 * The connector contract (test/contracts/) for `aws-kinesis`, against kinesalite: one stream of one
 * shard per case. The instances a case creates share one lease table (like instances on one
 * database), and the harness writes a resolved delivery's checkpoint into it as the store's commit
 * would (fenced by the lease token), so `unacknowledged` counts the records after the checkpoint.
 */
import { randomUUID } from 'node:crypto';
import { GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-kinesis';
import { awsKinesisConnector } from '../../../src/connectors/aws-kinesis/index.ts';
import { startKinesalite } from '../../peers/kinesalite.ts';
import { connectorContract } from '../../contracts/connector-contract.ts';
import { memoryLeaseStore } from '../../support/connector-context.ts';
import { commitCheckpointsTo } from '../../support/fenced-checkpoints.ts';
import { peerConfig, uniqueName } from './helpers.ts';

const SECRET = `contract-secret-${randomUUID()}`;
const APPLICATION = 'contract';

/** `seq` or `seq/sub` ordered by sequence number, a whole record after its user records. */
function compare(a: string, b: string): number {
  const [sa = '0', ua] = a.split('/');
  const [sb = '0', ub] = b.split('/');
  if (BigInt(sa) !== BigInt(sb)) return BigInt(sa) < BigInt(sb) ? -1 : 1;
  return (ua === undefined ? Infinity : Number(ua)) - (ub === undefined ? Infinity : Number(ub));
}

connectorContract({
  type: 'aws-kinesis',
  redeliveryTimeoutMs: 20_000,
  checkpoints: {
    partitionOf: (m) => `${APPLICATION}/${m.metadata.streamName}/${m.metadata.shardId}`,
    positionOf: (m) => m.metadata.sequenceNumber ?? '',
    compare,
  },
  async startPeer() {
    const peer = await startKinesalite();
    return {
      async source(name) {
        const stream = uniqueName(`contract-${name}`);
        await peer.createStream(stream, 1);
        const role = memoryLeaseStore();
        const integrationId = 'test-integration';
        const config = peerConfig(peer, stream, { secretAccessKey: SECRET, applicationName: APPLICATION, leaseDurationSeconds: 3 });
        return {
          secrets: [SECRET],
          create: (ctx) => awsKinesisConnector.create(config, commitCheckpointsTo(ctx, role)),
          testConnection: (signal) => awsKinesisConnector.testConnection(config, signal),
          publish: async (payloads) => { await peer.putAll(stream, payloads.map((p) => ({ data: p, partitionKey: 'contract' })), 1); },
          async unacknowledged() {
            const lease = (await role.listLeases(integrationId))[0];
            const shardId = (await peer.listShards(stream))[0]?.ShardId;
            const checkpoint = lease?.checkpoint ?? null;
            let iterator = (await peer.kinesis.send(new GetShardIteratorCommand({
              StreamName: stream, ShardId: shardId,
              ...(checkpoint ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: checkpoint } : { ShardIteratorType: 'TRIM_HORIZON' }),
            }))).ShardIterator;
            let left = 0;
            for (let i = 0; i < 20 && iterator; i++) {
              const out = await peer.kinesis.send(new GetRecordsCommand({ ShardIterator: iterator }));
              left += out.Records?.length ?? 0;
              if ((out.Records?.length ?? 0) === 0) break;
              iterator = out.NextShardIterator;
            }
            return left;
          },
          dispose: async () => undefined,
        };
      },
      stop: () => peer.stop(),
    };
  },
});

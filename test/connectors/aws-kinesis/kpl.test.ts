/** KPL de-aggregation (src/connectors/aws-kinesis/kpl.ts) and the messages made of aggregates. */
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deaggregate } from '../../../src/connectors/aws-kinesis/kpl.ts';
import { toShardMessages } from '../../../src/connectors/aws-kinesis/uplink-message.ts';
import type { KinesisRecord } from '../../../src/connectors/aws-kinesis/kinesis-api.ts';
import { KPL_MAGIC_BYTES, kplAggregate } from './kpl-records.ts';

const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8');

function record(seq: string, data: Uint8Array, partitionKey = 'outer'): KinesisRecord {
  return { sequenceNumber: seq, partitionKey, data, approximateArrivalTimestamp: 1_700_000_000_000, encryptionType: undefined };
}

describe('KPL de-aggregation', () => {
  it('splits an aggregate into its user records with their partition and explicit hash keys', () => {
    const agg = kplAggregate([
      { partitionKey: 'dev-1', data: '{"t":1}' },
      { partitionKey: 'dev-2', data: '{"t":2}', explicitHashKey: '12345', tags: { a: 'b' } },
      { partitionKey: 'dev-1', data: '{"t":3}' },
    ]);
    const users = deaggregate(agg);
    assert.ok(users);
    assert.deepEqual(users.map((u) => [u.partitionKey, u.explicitHashKey, text(u.data)]), [
      ['dev-1', undefined, '{"t":1}'], ['dev-2', '12345', '{"t":2}'], ['dev-1', undefined, '{"t":3}'],
    ]);
  });

  it('skips protobuf fields it does not know', () => {
    const users = deaggregate(kplAggregate([{ partitionKey: 'k', data: 'x' }], { unknownField: true }));
    assert.deepEqual(users?.map((u) => text(u.data)), ['x']);
  });

  it('passes a record through when the MD5 does not match, the protobuf is cut short, or there is no magic', () => {
    assert.equal(deaggregate(kplAggregate([{ partitionKey: 'k', data: 'x' }], { corruptMd5: true })), null);
    const good = kplAggregate([{ partitionKey: 'k', data: 'hello world' }]);
    assert.equal(deaggregate(Buffer.concat([good.subarray(0, 10), good.subarray(good.length - 16)])), null, 'truncated protobuf');
    assert.equal(deaggregate(KPL_MAGIC_BYTES), null, 'magic only');
    assert.equal(deaggregate(Buffer.from('{"plain":true}')), null);
  });

  it('passes a record through when a user record points outside the partition key table', () => {
    // Hand-made: no partition key table, one record with partition_key_index 3.
    const protobuf = Buffer.from([0x1a, 0x05, 0x08, 0x03, 0x1a, 0x01, 0x78]);
    const data = Buffer.concat([KPL_MAGIC_BYTES, protobuf, createHash('md5').update(protobuf).digest()]);
    assert.equal(deaggregate(data), null);
  });

  it('makes one message per user record, with sub-sequence numbers, its own sourceKey and positions', () => {
    const agg = kplAggregate([0, 1, 2].map((i) => ({ partitionKey: `dev-${i}`, data: `u${i}` })));
    const { messages } = toShardMessages([record('100', Buffer.from('plain')), record('200', agg)], { streamName: 's', shardId: 'shardId-000000000001', receivedAt: 5, dedupe: 'check' });
    assert.deepEqual(messages.map((m) => [text(m.message.payload), m.message.sourceKey, m.message.metadata.subSequenceNumber, m.message.metadata.partitionKey, m.position]), [
      ['plain', 'shardId-000000000001/100', '0', 'outer', { sequenceNumber: '100' }],
      ['u0', 'shardId-000000000001/200/0', '0', 'dev-0', { sequenceNumber: '200', subSequenceNumber: 0 }],
      ['u1', 'shardId-000000000001/200/1', '1', 'dev-1', { sequenceNumber: '200', subSequenceNumber: 1 }],
      ['u2', 'shardId-000000000001/200/2', '2', 'dev-2', { sequenceNumber: '200' }],
    ]);
    assert.equal(messages[1]?.message.metadata.aggregated, 'true');
    assert.equal(messages[0]?.message.metadata.aggregated, undefined);
    assert.equal(messages[1]?.message.sourceTimestamp, 1_700_000_000_000);
  });

  it('resuming inside an aggregate skips the user records already committed', () => {
    const agg = kplAggregate([0, 1, 2, 3].map((i) => ({ partitionKey: 'k', data: `u${i}` })));
    const { messages } = toShardMessages([record('200', agg), record('300', Buffer.from('next'))], {
      streamName: 's', shardId: 'sh', receivedAt: 5, dedupe: 'check', skip: { sequenceNumber: '200', throughSub: 1 },
    });
    assert.deepEqual(messages.map((m) => text(m.message.payload)), ['u2', 'u3', 'next']);
  });
});

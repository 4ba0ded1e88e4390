/**
 * Turns the Kinesis records of one GetRecords answer into UplinkMessages: a plain record is one
 * message, a KPL aggregate one message per user record (kpl.ts). The data reaches the converter as
 * bytes, never parsed.
 *
 * Metadata: streamName, shardId, sequenceNumber, subSequenceNumber ('0' for a plain record),
 * partitionKey, approximateArrivalTimestamp (epoch ms), and for user records of an aggregate
 * aggregated='true' and explicitHashKey when set. sourceKey: `shardId/sequenceNumber`, or
 * `shardId/sequenceNumber/sub` for a user record. sourceTimestamp: the arrival time.
 * Each message carries its position (what the checkpoint becomes once it is committed).
 */
import type { DedupeMode, UplinkMessage } from '../../core/model.ts';
import type { KinesisRecord } from './kinesis-api.ts';
import { deaggregate } from './kpl.ts';
import type { RecordPosition } from './position.ts';

export interface ShardMessage {
  message: UplinkMessage;
  /** The checkpoint once this message (and all before it) is committed. */
  position: RecordPosition;
}

export interface ConvertOptions {
  streamName: string;
  shardId: string;
  receivedAt: number;
  dedupe: DedupeMode;
  /** User records of this aggregate up to `throughSub` are committed already (resuming mid-aggregate). */
  skip?: { sequenceNumber: string; throughSub: number } | undefined;
}

export function toShardMessages(records: readonly KinesisRecord[], o: ConvertOptions): { messages: ShardMessage[]; aggregates: number; userRecords: number } {
  const messages: ShardMessage[] = [];
  let aggregates = 0;
  let userRecords = 0;
  for (const r of records) {
    const base: Record<string, string> = {
      streamName: o.streamName,
      shardId: o.shardId,
      sequenceNumber: r.sequenceNumber,
      partitionKey: r.partitionKey,
    };
    if (r.approximateArrivalTimestamp !== undefined) base.approximateArrivalTimestamp = String(r.approximateArrivalTimestamp);
    const common = {
      receivedAt: o.receivedAt,
      dedupe: o.dedupe,
      ...(r.approximateArrivalTimestamp !== undefined ? { sourceTimestamp: r.approximateArrivalTimestamp } : {}),
    };
    const users = deaggregate(r.data);
    if (!users) {
      messages.push({
        message: { payload: r.data, metadata: { ...base, subSequenceNumber: '0' }, sourceKey: `${o.shardId}/${r.sequenceNumber}`, ...common },
        position: { sequenceNumber: r.sequenceNumber },
      });
      continue;
    }
    aggregates++;
    userRecords += users.length;
    const skipThrough = o.skip?.sequenceNumber === r.sequenceNumber ? o.skip.throughSub : -1;
    users.forEach((u, sub) => {
      if (sub <= skipThrough) return;
      const metadata: Record<string, string> = { ...base, partitionKey: u.partitionKey, subSequenceNumber: String(sub), aggregated: 'true' };
      if (u.explicitHashKey !== undefined) metadata.explicitHashKey = u.explicitHashKey;
      messages.push({
        message: { payload: u.data, metadata, sourceKey: `${o.shardId}/${r.sequenceNumber}/${sub}`, ...common },
        // The last user record completes the Kinesis record: resume after it.
        position: sub === users.length - 1 ? { sequenceNumber: r.sequenceNumber } : { sequenceNumber: r.sequenceNumber, subSequenceNumber: sub },
      });
    });
  }
  return { messages, aggregates, userRecords };
}

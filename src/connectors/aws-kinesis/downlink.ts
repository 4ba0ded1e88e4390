/**
 * Downlink → PutRecord on downlinkStreamName. The data is the encoded bytes as they are (JSON and
 * TEXT as UTF-8, BINARY unchanged). The partition key (which shard, and order per key) is the
 * downlink converter's metadata.partitionKey, else metadata.deviceName; metadata.explicitHashKey,
 * when given, picks the shard by hash key instead. Other metadata is not sent (a Kinesis record has
 * no attributes): put what the device needs into the data.
 */
import { CloudbridgeError } from '../../core/errors.ts';
import type { EncodedDownlink } from '../../core/model.ts';
import type { PutRecordRequest } from './kinesis-api.ts';

/** Kinesis: at most 1 MiB of data plus partition key per record; partition keys of 1 to 256 characters. */
export const MAX_RECORD_BYTES = 1024 * 1024;
export const MAX_PARTITION_KEY_CHARS = 256;

function fail(message: string): CloudbridgeError {
  return new CloudbridgeError('DOWNLINK_FAILED', message, { field: 'downlinkConverter' }, { retryable: false });
}

export function buildPutRecord(msg: EncodedDownlink, streamName: string): PutRecordRequest {
  const partitionKey = msg.metadata.partitionKey || msg.metadata.deviceName;
  if (!partitionKey) throw fail('the downlink converter returned neither metadata.partitionKey nor metadata.deviceName: Kinesis needs a partition key for every record');
  if (partitionKey.length > MAX_PARTITION_KEY_CHARS) throw fail(`the partition key "${partitionKey.slice(0, 40)}…" has ${partitionKey.length} characters; Kinesis allows at most ${MAX_PARTITION_KEY_CHARS}`);
  if (msg.data.byteLength === 0) throw fail('the downlink converter returned empty data: Kinesis does not accept an empty record');
  const size = msg.data.byteLength + Buffer.byteLength(partitionKey, 'utf8');
  if (size > MAX_RECORD_BYTES) throw fail(`the downlink record has ${size} bytes (data and partition key); Kinesis accepts at most ${MAX_RECORD_BYTES}`);
  const explicitHashKey = msg.metadata.explicitHashKey;
  if (explicitHashKey !== undefined && !/^\d{1,39}$/.test(explicitHashKey)) throw fail(`metadata.explicitHashKey "${explicitHashKey}" must be a decimal number from 0 to 2^128-1`);
  return { streamName, partitionKey, data: msg.data, ...(explicitHashKey ? { explicitHashKey } : {}) };
}

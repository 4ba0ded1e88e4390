/**
 * KPL aggregates built in the tests, written from the documented format (not from the connector's
 * decoder): magic F3 89 9A C2, protobuf AggregatedRecord, MD5 of the protobuf bytes.
 *   AggregatedRecord { repeated string partition_key_table = 1; repeated string explicit_hash_key_table = 2; repeated Record records = 3 }
 *   Record { uint64 partition_key_index = 1; uint64 explicit_hash_key_index = 2; bytes data = 3; repeated Tag tags = 4 }
 *   Tag { string key = 1; string value = 2 }
 */
import { createHash } from 'node:crypto';

function varint(n: number): Buffer {
  const out: number[] = [];
  let v = BigInt(n);
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return Buffer.from(out);
}

const key = (field: number, wire: number): Buffer => varint(field * 8 + wire);
const lengthDelimited = (field: number, bytes: Buffer): Buffer => Buffer.concat([key(field, 2), varint(bytes.length), bytes]);
const uint = (field: number, n: number): Buffer => Buffer.concat([key(field, 0), varint(n)]);

export interface AggregatedUserRecord {
  partitionKey: string;
  explicitHashKey?: string;
  data: string | Buffer;
  tags?: Record<string, string>;
}

/** The protobuf bytes of an AggregatedRecord (tables deduplicated, in first-use order). */
export function aggregatedRecordProtobuf(records: AggregatedUserRecord[], opts: { unknownField?: boolean } = {}): Buffer {
  const pks: string[] = [];
  const ehks: string[] = [];
  const idx = (table: string[], v: string): number => (table.includes(v) ? table.indexOf(v) : table.push(v) - 1);
  const recs = records.map((r) => {
    const parts = [uint(1, idx(pks, r.partitionKey))];
    if (r.explicitHashKey !== undefined) parts.push(uint(2, idx(ehks, r.explicitHashKey)));
    parts.push(lengthDelimited(3, Buffer.isBuffer(r.data) ? r.data : Buffer.from(r.data)));
    for (const [k, v] of Object.entries(r.tags ?? {})) parts.push(lengthDelimited(4, Buffer.concat([lengthDelimited(1, Buffer.from(k)), lengthDelimited(2, Buffer.from(v))])));
    return Buffer.concat(parts);
  });
  return Buffer.concat([
    ...pks.map((k) => lengthDelimited(1, Buffer.from(k))),
    ...ehks.map((k) => lengthDelimited(2, Buffer.from(k))),
    ...(opts.unknownField ? [uint(9, 300), Buffer.concat([key(10, 5), Buffer.alloc(4)])] : []),
    ...recs.map((r) => lengthDelimited(3, r)),
  ]);
}

export const KPL_MAGIC_BYTES = Buffer.from([0xf3, 0x89, 0x9a, 0xc2]);

/** A whole KPL aggregate record (magic + protobuf + MD5). */
export function kplAggregate(records: AggregatedUserRecord[], opts: { unknownField?: boolean; corruptMd5?: boolean } = {}): Buffer {
  const protobuf = aggregatedRecordProtobuf(records, opts);
  const md5 = createHash('md5').update(protobuf).digest();
  if (opts.corruptMd5) md5[0] = (md5[0] ?? 0) ^ 0xff;
  return Buffer.concat([KPL_MAGIC_BYTES, protobuf, md5]);
}

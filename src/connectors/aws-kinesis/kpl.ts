/**
 * De-aggregation of records written by the Kinesis Producer Library (KPL) with aggregation on:
 * one Kinesis record then carries many user records. The format (KPL "aggregation format"):
 *
 *   magic 0xF3 0x89 0x9A 0xC2 | protobuf AggregatedRecord | MD5 of the protobuf bytes (16 bytes)
 *
 *   message AggregatedRecord {
 *     repeated string partition_key_table = 1;
 *     repeated string explicit_hash_key_table = 2;
 *     repeated Record records = 3;
 *   }
 *   message Record {
 *     required uint64 partition_key_index = 1;
 *     optional uint64 explicit_hash_key_index = 2;
 *     required bytes data = 3;
 *     repeated Tag tags = 4;   // Tag { required string key = 1; optional string value = 2; }, ignored
 *   }
 *
 * Decoded by hand (a small protobuf reader, no dependency). A record with the magic whose MD5 does
 * not match, or whose protobuf does not parse, is not an aggregate: it is passed through as a
 * plain record, as the KCL does. User record i gets sub-sequence number i.
 */
import { createHash } from 'node:crypto';

export const KPL_MAGIC = Uint8Array.of(0xf3, 0x89, 0x9a, 0xc2);
const MD5_BYTES = 16;

export interface UserRecord {
  partitionKey: string;
  explicitHashKey: string | undefined;
  data: Uint8Array;
}

class Reader {
  pos: number;
  private readonly buf: Uint8Array;
  private readonly end: number;

  constructor(buf: Uint8Array, start = 0, end = buf.length) {
    this.buf = buf;
    this.pos = start;
    this.end = end;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const b = this.buf[this.pos++] as number;
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return value;
      scale *= 128;
    }
    throw new Error('varint longer than 10 bytes');
  }

  /** The bounds of a length-delimited field's content; moves past it. */
  bytes(): [start: number, end: number] {
    const length = this.varint();
    const start = this.pos;
    const end = start + length;
    if (!Number.isSafeInteger(length) || end > this.end) throw new Error('length-delimited field runs past its message');
    this.pos = end;
    return [start, end];
  }

  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.advance(8);
    else if (wireType === 2) this.bytes();
    else if (wireType === 5) this.advance(4);
    else throw new Error(`unsupported wire type ${wireType}`);
  }

  private advance(n: number): void {
    if (this.pos + n > this.end) throw new Error('truncated field');
    this.pos += n;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

interface RawRecord {
  partitionKeyIndex: number | undefined;
  explicitHashKeyIndex: number | undefined;
  data: Uint8Array | undefined;
}

function parseRecord(buf: Uint8Array, start: number, end: number): RawRecord {
  const r = new Reader(buf, start, end);
  const out: RawRecord = { partitionKeyIndex: undefined, explicitHashKeyIndex: undefined, data: undefined };
  while (!r.done) {
    const tag = r.varint();
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (field === 1 && wire === 0) out.partitionKeyIndex = r.varint();
    else if (field === 2 && wire === 0) out.explicitHashKeyIndex = r.varint();
    else if (field === 3 && wire === 2) {
      const [s, e] = r.bytes();
      out.data = buf.subarray(s, e);
    } else r.skip(wire);
  }
  return out;
}

function parseAggregate(buf: Uint8Array, start: number, end: number): UserRecord[] {
  const r = new Reader(buf, start, end);
  const partitionKeys: string[] = [];
  const hashKeys: string[] = [];
  const raw: RawRecord[] = [];
  while (!r.done) {
    const tag = r.varint();
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (wire === 2 && (field === 1 || field === 2 || field === 3)) {
      const [s, e] = r.bytes();
      if (field === 1) partitionKeys.push(utf8.decode(buf.subarray(s, e)));
      else if (field === 2) hashKeys.push(utf8.decode(buf.subarray(s, e)));
      else raw.push(parseRecord(buf, s, e));
    } else r.skip(wire);
  }
  return raw.map((rec, i) => {
    const partitionKey = rec.partitionKeyIndex === undefined ? undefined : partitionKeys[rec.partitionKeyIndex];
    if (partitionKey === undefined) throw new Error(`user record ${i} has no valid partition_key_index`);
    if (!rec.data) throw new Error(`user record ${i} has no data`);
    let explicitHashKey: string | undefined;
    if (rec.explicitHashKeyIndex !== undefined) {
      explicitHashKey = hashKeys[rec.explicitHashKeyIndex];
      if (explicitHashKey === undefined) throw new Error(`user record ${i} has an explicit_hash_key_index out of range`);
    }
    return { partitionKey, explicitHashKey, data: rec.data };
  });
}

export function hasKplMagic(data: Uint8Array): boolean {
  return data.length >= KPL_MAGIC.length && KPL_MAGIC.every((b, i) => data[i] === b);
}

/**
 * The user records of a KPL aggregate, or null when `data` is not one (no magic, too short, MD5
 * mismatch, or protobuf that does not parse): then it is a plain record.
 */
export function deaggregate(data: Uint8Array): UserRecord[] | null {
  if (!hasKplMagic(data) || data.length < KPL_MAGIC.length + MD5_BYTES) return null;
  const start = KPL_MAGIC.length;
  const end = data.length - MD5_BYTES;
  const digest = createHash('md5').update(data.subarray(start, end)).digest();
  for (let i = 0; i < MD5_BYTES; i++) if (digest[i] !== data[end + i]) return null;
  try {
    return parseAggregate(data, start, end);
  } catch {
    return null;
  }
}

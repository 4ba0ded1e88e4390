/** The keys of the dedupe layout bench: MQTT content hashes (random 64-char hex) and their compact forms. */
import { createHash, hash } from 'node:crypto';

/** Keys `first` .. `first + n - 1`: the SHA-256 hex a content hash would be. */
export function makeKeys(first: number, n: number): string[] {
  const out: string[] = [];
  for (let i = first; i < first + n; i++) out.push(createHash('sha256').update(`bench/${i % 100}\u0000${i}`).digest('hex'));
  return out;
}

/** The first 16 bytes of SHA-256(key): the 128-bit digest layouts store. */
export function digest16(key: string): Buffer {
  return hash('sha256', key, 'buffer').subarray(0, 16);
}

/** The first 8 bytes of SHA-256(key) as a signed 64-bit integer. */
export function digest64(key: string): bigint {
  return hash('sha256', key, 'buffer').readBigInt64BE(0);
}

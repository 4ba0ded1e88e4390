/**
 * Partition-key placement as Event Hubs does it: Bob Jenkins' lookup3 `hashlittle2` (public
 * domain) over the key's UTF-8 bytes with both seeds 0, the two 32-bit results XOR-ed and cast
 * to a signed 16-bit integer, then `abs(hash % partitionCount)`. Written from the lookup3
 * description; `partition-key.test.ts` checks it against the SDK's own mapper.
 */

function rot(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) | 0;
}

interface State { a: number; b: number; c: number }

function mix(s: State): void {
  s.a = (s.a - s.c) | 0; s.a ^= rot(s.c, 4); s.c = (s.c + s.b) | 0;
  s.b = (s.b - s.a) | 0; s.b ^= rot(s.a, 6); s.a = (s.a + s.c) | 0;
  s.c = (s.c - s.b) | 0; s.c ^= rot(s.b, 8); s.b = (s.b + s.a) | 0;
  s.a = (s.a - s.c) | 0; s.a ^= rot(s.c, 16); s.c = (s.c + s.b) | 0;
  s.b = (s.b - s.a) | 0; s.b ^= rot(s.a, 19); s.a = (s.a + s.c) | 0;
  s.c = (s.c - s.b) | 0; s.c ^= rot(s.b, 4); s.b = (s.b + s.a) | 0;
}

function final(s: State): void {
  s.c ^= s.b; s.c = (s.c - rot(s.b, 14)) | 0;
  s.a ^= s.c; s.a = (s.a - rot(s.c, 11)) | 0;
  s.b ^= s.a; s.b = (s.b - rot(s.a, 25)) | 0;
  s.c ^= s.b; s.c = (s.c - rot(s.b, 16)) | 0;
  s.a ^= s.c; s.a = (s.a - rot(s.c, 4)) | 0;
  s.b ^= s.a; s.b = (s.b - rot(s.a, 14)) | 0;
  s.c ^= s.b; s.c = (s.c - rot(s.b, 24)) | 0;
}

/** Little-endian 32-bit word of `data` at `i`, zero-padded past `end`. */
function word(data: Buffer, i: number, end: number): number {
  let w = 0;
  for (let k = 3; k >= 0; k--) w = (w << 8) | (i + k < end ? (data[i + k] ?? 0) : 0);
  return w | 0;
}

/** lookup3 hashlittle2: returns the primary (c) and secondary (b) 32-bit hashes. */
export function hashLittle2(data: Buffer, seed1 = 0, seed2 = 0): { c: number; b: number } {
  const init = (0xdeadbeef + data.length + seed1) | 0;
  const s: State = { a: init, b: init, c: (init + seed2) | 0 };
  let i = 0;
  let left = data.length;
  while (left > 12) {
    s.a = (s.a + word(data, i, data.length)) | 0;
    s.b = (s.b + word(data, i + 4, data.length)) | 0;
    s.c = (s.c + word(data, i + 8, data.length)) | 0;
    mix(s);
    i += 12;
    left -= 12;
  }
  if (left === 0) return { c: s.c, b: s.b };
  const end = data.length;
  s.a = (s.a + word(data, i, end)) | 0;
  if (left > 4) s.b = (s.b + word(data, i + 4, end)) | 0;
  if (left > 8) s.c = (s.c + word(data, i + 8, end)) | 0;
  final(s);
  return { c: s.c, b: s.b };
}

/** The signed 16-bit hash Event Hubs derives from a partition key. */
export function partitionKeyHash(key: string): number {
  const { c, b } = hashLittle2(Buffer.from(key, 'utf8'));
  return (((c ^ b) << 16) >> 16);
}

/** The partition index a key lands on. */
export function partitionForKey(key: string, partitionCount: number): number {
  return Math.abs(partitionKeyHash(key) % partitionCount);
}

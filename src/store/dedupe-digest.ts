/**
 * The stored form of a dedupe key (ADR 011): the first 16 bytes of SHA-256 over the integration
 * id, a NUL byte and the sourceKey, both UTF-8. Whatever the source's keys look like (64 hex
 * characters of an MQTT content hash, a 36-character SQS MessageId, a structured id), every key
 * becomes 16 uniformly distributed bytes: small index entries, and no two key shapes that could
 * meet. Integration ids (UUIDs) contain no NUL, so the input names one (integration, sourceKey).
 *
 * Two different keys share a digest with probability 2^-128 per pair. With n keys kept and m
 * redeliveries checked in the retention, the chance that a checked message is wrongly found is
 * below m·n/2^128: ~1e-21 for a billion of each (the SQLite and PostgreSQL migrations compute
 * the same digest, PostgreSQL with its sha256()).
 */
import { hash } from 'node:crypto';

export const DIGEST_BYTES = 16;

export function dedupeDigest(integrationId: string, sourceKey: string): Buffer {
  return hash('sha256', `${integrationId}\u0000${sourceKey}`, 'buffer').subarray(0, DIGEST_BYTES);
}

export interface KeyDigest {
  key: string;
  digest: Buffer;
}

/** The keys with their digests, in digest order: the order both stores write them in. */
export function sortedDigests(integrationId: string, keys: readonly string[]): KeyDigest[] {
  // Compared by their first 6 bytes as a number first: Buffer.compare for every pair costs more
  // than the hashing.
  const entries = keys.map((key) => {
    const digest = dedupeDigest(integrationId, key);
    return { key, digest, prefix: digest.readUIntBE(0, 6) };
  });
  entries.sort((a, b) => a.prefix - b.prefix || Buffer.compare(a.digest, b.digest));
  return entries.map(({ key, digest }) => ({ key, digest }));
}

/** The keys of the digests a claim returned (`sorted` names the keys claimed). */
export function keysOf(sorted: readonly KeyDigest[], returned: Iterable<Uint8Array>): Set<string> {
  const byDigest = new Map(sorted.map((k) => [k.digest.toString('hex'), k.key]));
  const keys = new Set<string>();
  for (const digest of returned) {
    const key = byDigest.get(Buffer.from(digest.buffer, digest.byteOffset, digest.byteLength).toString('hex'));
    if (key !== undefined) keys.add(key);
  }
  return keys;
}

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

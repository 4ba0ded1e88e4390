/**
 * Service Bus lock tokens. The delivery tag carries the token's GUID in .NET byte order (the first
 * three groups little-endian); the SDK reorders it back to build `lockToken`, and sends the
 * token as an RFC-order uuid in management requests.
 */
import { randomUUID } from 'node:crypto';

function rfcBytes(token: string): Buffer {
  return Buffer.from(token.replace(/-/g, ''), 'hex');
}

/** Swaps between RFC and .NET GUID byte order (the operation is its own inverse). */
export function swapGuidByteOrder(b: Buffer): Buffer {
  return Buffer.from([b[3] ?? 0, b[2] ?? 0, b[1] ?? 0, b[0] ?? 0, b[5] ?? 0, b[4] ?? 0, b[7] ?? 0, b[6] ?? 0, ...b.subarray(8, 16)]);
}

export function newLockToken(): string {
  return randomUUID();
}

/** The delivery tag for a lock token (.NET `Guid.ToByteArray()` order). */
export function deliveryTag(token: string): Buffer {
  return swapGuidByteOrder(rfcBytes(token));
}

/** The lock token as the SDK sends it in management requests (RFC-order uuid bytes). */
export function uuidBytes(token: string): Buffer {
  return rfcBytes(token);
}

export function tokenFromUuid(value: unknown): string | undefined {
  const b = Buffer.isBuffer(value) ? value : typeof value === 'string' ? rfcBytes(value) : undefined;
  if (b === undefined || b.length !== 16) return undefined;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

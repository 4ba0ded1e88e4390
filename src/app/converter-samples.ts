/** Converter test samples as users write them (text, base64, hex) and downlink payloads as they read them. */
import { CloudbridgeError } from '../core/errors.ts';
import type { EncodedDownlink } from '../core/model.ts';
import { utf8OrNull } from '../core/utf8.ts';

export function decodePayload(payload: string, encoding: 'text' | 'base64' | 'hex'): Uint8Array {
  if (encoding === 'text') return Buffer.from(payload, 'utf8');
  if (encoding === 'hex' && !/^([0-9a-fA-F]{2})*$/.test(payload.replace(/\s+/g, ''))) {
    throw new CloudbridgeError('CONFIG_INVALID', 'payload is not valid hex', { field: 'payload' });
  }
  return Buffer.from(encoding === 'hex' ? payload.replace(/\s+/g, '') : payload, encoding);
}

/** Downlink payload bytes as base64 (and as text when they are UTF-8). */
export function encodedView(e: EncodedDownlink): Record<string, unknown> {
  return { contentType: e.contentType, metadata: e.metadata, dataBase64: Buffer.from(e.data).toString('base64'), dataText: utf8OrNull(e.data) };
}

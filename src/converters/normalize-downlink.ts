/**
 * Validates an Encoder result: `{contentType: JSON|TEXT|BINARY, data: string, metadata?}` or an
 * array of them. JSON/TEXT data becomes UTF-8 bytes, BINARY data is base64-decoded; results with
 * empty data are skipped (as ThingsBoard's integrations do); metadata values must be scalars.
 */
import { CloudbridgeError } from '../core/errors.ts';
import type { ContentType, EncodedDownlink } from '../core/model.ts';
import { kindOf } from './describe-value.ts';

const CONTENT_TYPES: readonly ContentType[] = ['JSON', 'TEXT', 'BINARY'];
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

function fail(field: string, message: string): never {
  throw new CloudbridgeError('CONVERTER_OUTPUT', `${field}: ${message}`, { field });
}

function decodeBase64(data: string, field: string): Uint8Array {
  const s = data.replace(/\s+/g, '');
  if (!BASE64.test(s) && !(BASE64URL.test(s) && s.length % 4 !== 1)) fail(field, 'is not valid base64 (BINARY data must be base64-encoded)');
  return new Uint8Array(Buffer.from(s, s.includes('-') || s.includes('_') ? 'base64url' : 'base64'));
}

function metadata(v: unknown, field: string): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) fail(field, `must be an object of strings, got ${kindOf(v)}`);
  const out: Record<string, string> = {};
  for (const [k, value] of Object.entries(v)) {
    if (value === null || value === undefined) continue;
    if (typeof value === 'object') fail(`${field}.${k}`, 'must be a string, number or boolean (nested objects are not allowed)');
    out[k] = String(value);
  }
  return out;
}

function one(item: unknown, path: string): EncodedDownlink | null {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    fail(path, `expected an object {contentType, data, metadata?}, got ${kindOf(item)}`);
  }
  const rec = item as Record<string, unknown>;
  const ct = typeof rec.contentType === 'string' ? rec.contentType.toUpperCase() : rec.contentType;
  if (!CONTENT_TYPES.includes(ct as ContentType)) {
    fail(`${path}.contentType`, `must be one of JSON, TEXT, BINARY, got ${JSON.stringify(rec.contentType) ?? 'undefined'}`);
  }
  const contentType = ct as ContentType;
  if (rec.data !== undefined && rec.data !== null && typeof rec.data !== 'string') {
    fail(`${path}.data`, `must be a string, got ${kindOf(rec.data)}${contentType === 'JSON' ? ' (use JSON.stringify)' : ''}`);
  }
  const meta = metadata(rec.metadata, `${path}.metadata`);
  const data = typeof rec.data === 'string' ? rec.data : '';
  if (data === '') return null;
  const bytes = contentType === 'BINARY' ? decodeBase64(data, `${path}.data`) : new TextEncoder().encode(data);
  return { contentType, data: bytes, metadata: meta };
}

/** Throws CONVERTER_OUTPUT naming the field when the result is not a valid encoder result. */
export function normalizeDownlink(raw: unknown): EncodedDownlink[] {
  const items = Array.isArray(raw) ? raw.map((item, i) => one(item, `result[${i}]`)) : [one(raw, 'result')];
  return items.filter((x): x is EncodedDownlink => x !== null);
}

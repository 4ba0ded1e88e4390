/**
 * Validates a Decoder (or JSONata) result and normalises it into EntityRecords, with ThingsBoard's
 * rules: deviceName XOR assetName, assetType required for assets, deviceType default `default`,
 * attributes an object, telemetry `{k: v}` | `{ts, values}` | an array of those. Every error is
 * CONVERTER_OUTPUT and names the offending field, e.g. `result[1]: deviceName is missing`.
 */
import { CloudbridgeError } from '../core/errors.ts';
import type { EntityRecord, KvValue, TelemetryPoint } from '../core/model.ts';
import { kindOf } from './describe-value.ts';
import { toKvValue } from './kv-typing.ts';
import { CONVERTER_OUTPUT_LIMITS as LIMITS } from './types.ts';

const SHAPE_HINT = 'return {deviceName, telemetry}';

function fail(field: string, message: string): never {
  throw new CloudbridgeError('CONVERTER_OUTPUT', `${field}: ${message}`, { field });
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Counts values across one message against the size limit. */
class Budget {
  private used = 0;

  take(field: string): void {
    if (++this.used > LIMITS.maxValuesPerMessage) fail(field, `too many values in one message (the limit is ${LIMITS.maxValuesPerMessage})`);
  }
}

function optionalString(rec: Record<string, unknown>, key: string, path: string): string | undefined {
  const v = rec[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') fail(`${path}.${key}`, `must be a string, got ${kindOf(v)}`);
  if (v.length > LIMITS.maxNameLength) fail(`${path}.${key}`, `is longer than ${LIMITS.maxNameLength} characters`);
  return v;
}

function entityName(rec: Record<string, unknown>, key: string, path: string): string {
  const v = optionalString(rec, key, path);
  if (v === undefined || v.trim() === '') fail(path, `${key} is empty (${SHAPE_HINT})`);
  if (v.includes(NUL)) fail(path, `${key} contains a NUL character (U+0000)`);
  return v;
}

const NUL = '\u0000';

function checkKey(key: string, field: string): void {
  if (key.length === 0) fail(field, 'keys must be non-empty strings');
  if (key.includes(NUL)) fail(field, `key ${JSON.stringify(key)} contains a NUL character (U+0000), which the store cannot keep`);
  if (key.length > LIMITS.maxKeyLength) fail(field, `key "${key.slice(0, 40)}..." is longer than ${LIMITS.maxKeyLength} characters`);
}

function kvEntries(obj: Record<string, unknown>, field: string, budget: Budget): Array<{ key: string; value: KvValue }> {
  const out: Array<{ key: string; value: KvValue }> = [];
  for (const key of Object.keys(obj)) {
    checkKey(key, field);
    const value = toKvValue(obj[key]);
    if (value === null) continue;
    if (value.type === 'string' && value.value.includes(NUL)) fail(`${field}.${key}`, 'the string contains a NUL character (U+0000), which the store cannot keep: remove it or send the value as hex/base64');
    budget.take(field);
    out.push({ key, value });
  }
  return out;
}

function timestamp(v: unknown, field: string): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) fail(field, `must be epoch milliseconds, got ${JSON.stringify(v)}`);
  return Math.trunc(n);
}

function telemetryEntry(entry: unknown, field: string, receivedAt: number, budget: Budget, out: TelemetryPoint[]): void {
  if (!isPlainObject(entry)) fail(field, `must be an object ({key: value} or {ts, values}), got ${kindOf(entry)}`);
  let ts = receivedAt;
  let values: Record<string, unknown> = entry;
  let valuesField = field;
  if ('ts' in entry && 'values' in entry) {
    ts = timestamp(entry.ts, `${field}.ts`);
    valuesField = `${field}.values`;
    if (!isPlainObject(entry.values)) fail(valuesField, `must be an object, got ${kindOf(entry.values)}`);
    values = entry.values;
  }
  for (const { key, value } of kvEntries(values, valuesField, budget)) out.push({ ts, key, value });
}

function telemetry(v: unknown, field: string, receivedAt: number, budget: Budget): TelemetryPoint[] {
  const out: TelemetryPoint[] = [];
  if (v === undefined || v === null) return out;
  if (Array.isArray(v)) v.forEach((entry, i) => telemetryEntry(entry, `${field}[${i}]`, receivedAt, budget, out));
  else telemetryEntry(v, field, receivedAt, budget, out);
  return out;
}

function record(rec: unknown, path: string, receivedAt: number, budget: Budget): EntityRecord {
  if (!isPlainObject(rec)) fail(path, `expected an object, got ${kindOf(rec)} (${SHAPE_HINT})`);
  const hasDevice = rec.deviceName !== undefined && rec.deviceName !== null;
  const hasAsset = rec.assetName !== undefined && rec.assetName !== null;
  if (hasDevice && hasAsset) fail(path, 'has both deviceName and assetName; return one of them');
  if (!hasDevice && !hasAsset) fail(path, `deviceName is missing (${SHAPE_HINT})`);
  let out: EntityRecord;
  let label: string | undefined;
  if (hasDevice) {
    out = { kind: 'DEVICE', name: entityName(rec, 'deviceName', path), type: optionalString(rec, 'deviceType', path) ?? 'default', attributes: [], telemetry: [] };
    label = optionalString(rec, 'deviceLabel', path);
  } else {
    const type = optionalString(rec, 'assetType', path);
    if (type === undefined) fail(path, 'assetType is required for an asset (return {assetName, assetType, telemetry})');
    out = { kind: 'ASSET', name: entityName(rec, 'assetName', path), type, attributes: [], telemetry: [] };
    label = optionalString(rec, 'assetLabel', path);
  }
  if (label !== undefined) out.label = label;
  const attrs = rec.attributes;
  if (attrs !== undefined && attrs !== null) {
    if (!isPlainObject(attrs)) fail(`${path}.attributes`, `must be an object, got ${kindOf(attrs)}`);
    out.attributes = kvEntries(attrs, `${path}.attributes`, budget);
  }
  out.telemetry = telemetry(rec.telemetry, `${path}.telemetry`, receivedAt, budget);
  const customerName = optionalString(rec, 'customerName', path);
  const groupName = optionalString(rec, 'groupName', path);
  if (customerName !== undefined) out.customerName = customerName;
  if (groupName !== undefined) out.groupName = groupName;
  return out;
}

/**
 * Normalises one message's converter output. `receivedAt` is the timestamp of telemetry given
 * without `ts`. Throws CONVERTER_OUTPUT naming the field.
 */
export function normalizeUplink(raw: unknown, receivedAt: number): EntityRecord[] {
  const budget = new Budget();
  if (Array.isArray(raw)) {
    if (raw.length > LIMITS.maxRecordsPerMessage) fail('result', `${raw.length} records in one message; the limit is ${LIMITS.maxRecordsPerMessage}`);
    return raw.map((rec, i) => record(rec, `result[${i}]`, receivedAt, budget));
  }
  if (!isPlainObject(raw)) fail('result', `expected an object or an array of objects, got ${kindOf(raw)} (${SHAPE_HINT})`);
  return [record(raw, 'result', receivedAt, budget)];
}

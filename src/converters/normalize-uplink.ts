/**
 * Validates a Decoder (or JSONata) result and normalises it into EntityRecords, with ThingsBoard's
 * rules: deviceName XOR assetName, assetType required for assets, deviceType default `default`,
 * attributes an object, telemetry `{k: v}` | `{ts, values}` | an array of those. Every error is
 * CONVERTER_OUTPUT and names the offending field, e.g. `result[1]: deviceName is missing`.
 *
 * Nothing is dropped silently: a `ts` must be whole epoch milliseconds from 1970 up to the
 * future horizon, and a value that is Infinity or NaN is refused (the sandbox hands those over as
 * markers, see non-finite.ts) instead of being skipped like a null.
 */
import type { EntityRecord, KvValue, TelemetryPoint } from '../core/model.ts';
import { kindOf } from './describe-value.ts';
import { forwarderFields } from './forwarder-fields.ts';
import { isNumericString, toKvValue } from './kv-typing.ts';
import { nonFiniteName } from './non-finite.ts';
import { checkFinite, checkKey, fail, isPlainObject, NUL } from './output-checks.ts';
import { CONVERTER_OUTPUT_LIMITS as LIMITS, DEFAULT_MAX_FUTURE_TS_MS } from './types.ts';

const SHAPE_HINT = 'return {deviceName, telemetry}';

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
  if (typeof v !== 'string' || nonFiniteName(v) !== undefined) fail(`${path}.${key}`, `must be a string, got ${kindOf(v)}`);
  if (v.length > LIMITS.maxNameLength) fail(`${path}.${key}`, `is longer than ${LIMITS.maxNameLength} characters`);
  return v;
}

function entityName(rec: Record<string, unknown>, key: string, path: string): string {
  const v = optionalString(rec, key, path);
  if (v === undefined || v.trim() === '') fail(path, `${key} is empty (${SHAPE_HINT})`);
  if (v.includes(NUL)) fail(path, `${key} contains a NUL character (U+0000)`);
  return v;
}

function kvEntries(obj: Record<string, unknown>, field: string, budget: Budget): Array<{ key: string; value: KvValue }> {
  const out: Array<{ key: string; value: KvValue }> = [];
  for (const key of Object.keys(obj)) {
    checkKey(key, field);
    const raw = obj[key];
    checkFinite(raw, `${field}.${key}`);
    const value = toKvValue(raw);
    if (value === null) continue;
    if (value.type === 'string' && value.value.includes(NUL)) fail(`${field}.${key}`, 'the string contains a NUL character (U+0000), which the store cannot keep: remove it or send the value as hex/base64');
    budget.take(field);
    out.push({ key, value });
  }
  return out;
}

/** What the timestamps of one message's points may be. */
interface TimeRules {
  /** The ts of points given without one: the message's source timestamp, else its receive time. */
  messageTs: number;
  /** The latest ts accepted (now + the future horizon). */
  maxTs: number;
  maxFutureTsMs: number;
}

function describeTs(v: unknown): string {
  return nonFiniteName(v) ?? (typeof v === 'number' ? String(v) : JSON.stringify(v) ?? String(v));
}

function duration(ms: number): string {
  if (ms === 0) return '0 ms';
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000} day${ms === 86_400_000 ? '' : 's'}`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}

/**
 * A point's own ts: whole epoch milliseconds (a number, or a numeric string), from 1970 up to the
 * future horizon. Anything else is refused, never truncated or clamped.
 */
function timestamp(v: unknown, field: string, rules: TimeRules): number {
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && isNumericString(v)) n = Number(v);
  else fail(field, `must be epoch milliseconds, got ${describeTs(v)}`);
  if (!Number.isFinite(n)) fail(field, `must be epoch milliseconds, got ${describeTs(v)}`);
  if (!Number.isInteger(n)) fail(field, `must be whole epoch milliseconds, got ${describeTs(v)} (round it, e.g. Math.round(ts))`);
  if (n < 0) fail(field, `${n} is before 1970 (epoch milliseconds cannot be negative)`);
  if (n > rules.maxTs) {
    const when = n <= 8.64e15 ? ` (${new Date(n).toISOString()})` : '';
    fail(field, `${n}${when} is more than ${duration(rules.maxFutureTsMs)} in the future; check that it is in milliseconds (not microseconds) and the device clock (the limit is ingest.maxFutureTsMs)`);
  }
  return n;
}

function telemetryEntry(entry: unknown, field: string, rules: TimeRules, budget: Budget, out: TelemetryPoint[]): void {
  if (!isPlainObject(entry)) fail(field, `must be an object ({key: value} or {ts, values}), got ${kindOf(entry)}`);
  if ('ts' in entry && 'values' in entry) {
    const ts = timestamp(entry.ts, `${field}.ts`, rules);
    const valuesField = `${field}.values`;
    if (!isPlainObject(entry.values)) fail(valuesField, `must be an object, got ${kindOf(entry.values)}`);
    for (const { key, value } of kvEntries(entry.values, valuesField, budget)) out.push({ ts, key, value });
    return;
  }
  const ts = rules.messageTs;
  for (const { key, value } of kvEntries(entry, field, budget)) out.push({ ts, key, value, implicitTs: true });
}

function telemetry(v: unknown, field: string, rules: TimeRules, budget: Budget): TelemetryPoint[] {
  const out: TelemetryPoint[] = [];
  if (v === undefined || v === null) return out;
  if (Array.isArray(v)) v.forEach((entry, i) => telemetryEntry(entry, `${field}[${i}]`, rules, budget, out));
  else telemetryEntry(v, field, rules, budget, out);
  return out;
}

function record(rec: unknown, path: string, rules: TimeRules, budget: Budget): EntityRecord {
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
  out.telemetry = telemetry(rec.telemetry, `${path}.telemetry`, rules, budget);
  forwarderFields(rec, path, out, () => budget.take(path));
  const customerName = optionalString(rec, 'customerName', path);
  const groupName = optionalString(rec, 'groupName', path);
  if (customerName !== undefined) out.customerName = customerName;
  if (groupName !== undefined) out.groupName = groupName;
  return out;
}

export interface NormalizeUplinkOptions {
  /** The latest `ts` accepted is now + this. Default DEFAULT_MAX_FUTURE_TS_MS (1 day). */
  maxFutureTsMs?: number;
  /** Epoch ms; default Date.now(). */
  now?: number;
}

/**
 * Normalises one message's converter output. `messageTs` is the timestamp of telemetry given
 * without `ts` (the message's source timestamp, else its receive time); such points are marked
 * `implicitTs`. Throws CONVERTER_OUTPUT naming the field.
 */
export function normalizeUplink(raw: unknown, messageTs: number, opts: NormalizeUplinkOptions = {}): EntityRecord[] {
  const maxFutureTsMs = opts.maxFutureTsMs ?? DEFAULT_MAX_FUTURE_TS_MS;
  const rules: TimeRules = { messageTs, maxTs: (opts.now ?? Date.now()) + maxFutureTsMs, maxFutureTsMs };
  const budget = new Budget();
  if (Array.isArray(raw)) {
    if (raw.length > LIMITS.maxRecordsPerMessage) fail('result', `${raw.length} records in one message; the limit is ${LIMITS.maxRecordsPerMessage}`);
    return raw.map((rec, i) => record(rec, `result[${i}]`, rules, budget));
  }
  if (!isPlainObject(raw)) fail('result', `expected an object or an array of objects, got ${kindOf(raw)} (${SHAPE_HINT})`);
  return [record(raw, 'result', rules, budget)];
}

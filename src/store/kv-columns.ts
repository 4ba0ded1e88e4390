/**
 * Typed key/value storage shared by every store implementation: a KvValue is kept in exactly one
 * of five typed columns (bool_v, long_v, dbl_v, str_v, json_v) next to its type name, as
 * ThingsBoard does. Also the JSON text helpers for the JSON columns.
 */
import { CloudbridgeError } from '../core/errors.ts';
import type { KvType, KvValue } from '../core/model.ts';

/** The typed columns of one value; exactly one of the value fields is non-null (json `null` is the text "null"). */
export interface KvColumns {
  type: KvType;
  bool: boolean | null;
  long: number | null;
  dbl: number | null;
  str: string | null;
  json: string | null;
}

/** Columns as a driver returns them: SQLite gives 0/1 for booleans, PostgreSQL may give bigint as text. */
export interface KvColumnsRow {
  type: unknown;
  bool: unknown;
  long: unknown;
  dbl: unknown;
  str: unknown;
  json: unknown;
}

const EMPTY = { bool: null, long: null, dbl: null, str: null, json: null } as const;

function invalid(message: string): CloudbridgeError {
  return new CloudbridgeError('INTERNAL', `cannot store value: ${message}`);
}

/**
 * Splits a value into its typed columns. Throws when the value does not match its declared type
 * (the converter output validator guarantees it does) or a json value cannot be serialised.
 */
export function toKvColumns(v: KvValue): KvColumns {
  const raw: unknown = v.value;
  switch (v.type) {
    case 'bool':
      if (typeof v.value !== 'boolean') throw invalid(`bool value is a ${typeof raw}`);
      return { ...EMPTY, type: 'bool', bool: v.value };
    case 'long':
      if (!Number.isSafeInteger(v.value)) throw invalid(`long value ${String(v.value)} is not a safe integer`);
      return { ...EMPTY, type: 'long', long: v.value };
    case 'double':
      if (typeof v.value !== 'number' || !Number.isFinite(v.value)) throw invalid(`double value ${String(v.value)} is not a finite number`);
      return { ...EMPTY, type: 'double', dbl: v.value };
    case 'string':
      if (typeof v.value !== 'string') throw invalid(`string value is a ${typeof raw}`);
      return { ...EMPTY, type: 'string', str: v.value };
    case 'json':
      return { ...EMPTY, type: 'json', json: encodeJson(v.value) };
    default:
      throw invalid(`unknown value type ${String((v as { type: unknown }).type)}`);
  }
}

/** Rebuilds a value from its typed columns. */
export function fromKvColumns(row: KvColumnsRow): KvValue {
  switch (row.type) {
    case 'bool':
      return { type: 'bool', value: row.bool === true || row.bool === 1 || row.bool === 1n };
    case 'long':
      return { type: 'long', value: Number(row.long) };
    case 'double':
      return { type: 'double', value: Number(row.dbl) };
    case 'string':
      return { type: 'string', value: String(row.str) };
    case 'json':
      return { type: 'json', value: decodeJson(String(row.json)) };
    default:
      throw new CloudbridgeError('INTERNAL', `stored value has unknown type ${String(row.type)}`);
  }
}

/** JSON text for a JSON column. `undefined` becomes `null`; throws (TypeError) on BigInt and cycles. */
export function encodeJson(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}

export function decodeJson<T = unknown>(text: string): T {
  return JSON.parse(text) as T;
}

/** The typed columns in SQL, after a row's own key columns. */
export const KV_COLUMNS = 'value_type, bool_v, long_v, dbl_v, str_v, json_v';
/** `col = excluded.col` for every typed column, for ON CONFLICT DO UPDATE. */
export const KV_UPDATE = 'value_type = excluded.value_type, bool_v = excluded.bool_v, long_v = excluded.long_v, '
  + 'dbl_v = excluded.dbl_v, str_v = excluded.str_v, json_v = excluded.json_v';

/** The typed columns of a selected row: SQLite gives 0/1 for booleans, PostgreSQL a boolean. */
export interface KvRow {
  value_type: string;
  bool_v: number | boolean | null;
  long_v: number | null;
  dbl_v: number | null;
  str_v: string | null;
  json_v: string | null;
}

export function kvFromRow(r: KvRow): KvValue {
  return fromKvColumns({ type: r.value_type, bool: r.bool_v, long: r.long_v, dbl: r.dbl_v, str: r.str_v, json: r.json_v });
}

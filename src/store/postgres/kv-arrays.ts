/**
 * PostgreSQL binding of the typed value columns (see ../kv-columns.ts). Batched writes pass one
 * array per column and expand them with `unnest`, so a statement costs one round trip whatever
 * the row count.
 */
import type { KvValue } from '../../core/model.ts';
import { fromKvColumns, type KvColumns } from '../kv-columns.ts';

/** Column list, after the row's own key columns. */
export const KV_COLUMNS = 'value_type, bool_v, long_v, dbl_v, str_v, json_v';
/** The unnest casts of the KV_COLUMNS arrays starting at parameter `$first`. */
export function kvUnnest(first: number): string {
  const types = ['text', 'boolean', 'bigint', 'float8', 'text', 'text'];
  return types.map((t, i) => `$${first + i}::${t}[]`).join(', ');
}
/** `col = excluded.col` for every typed column, for ON CONFLICT DO UPDATE. */
export const KV_UPDATE = 'value_type = excluded.value_type, bool_v = excluded.bool_v, long_v = excluded.long_v, '
  + 'dbl_v = excluded.dbl_v, str_v = excluded.str_v, json_v = excluded.json_v';

/** One array per typed column. */
export class KvArrays {
  readonly type: string[] = [];
  readonly bool: Array<boolean | null> = [];
  readonly long: Array<number | null> = [];
  readonly dbl: Array<number | null> = [];
  readonly str: Array<string | null> = [];
  readonly json: Array<string | null> = [];

  push(c: KvColumns): void {
    this.type.push(c.type);
    this.bool.push(c.bool);
    this.long.push(c.long);
    this.dbl.push(c.dbl);
    this.str.push(c.str);
    this.json.push(c.json);
  }

  /** The parameters for `kvUnnest`, in order. */
  params(): unknown[] {
    return [this.type, this.bool, this.long, this.dbl, this.str, this.json];
  }
}

export interface KvRow {
  value_type: string;
  bool_v: boolean | null;
  long_v: number | null;
  dbl_v: number | null;
  str_v: string | null;
  json_v: string | null;
}

export function kvFromRow(r: KvRow): KvValue {
  return fromKvColumns({ type: r.value_type, bool: r.bool_v, long: r.long_v, dbl: r.dbl_v, str: r.str_v, json: r.json_v });
}

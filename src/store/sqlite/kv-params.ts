/** SQLite binding of the typed value columns (see ../kv-columns.ts). */
import type { SQLInputValue } from 'node:sqlite';
import { fromKvColumns, type KvColumns } from '../kv-columns.ts';
import type { KvValue } from '../../core/model.ts';

/** Column list in binding order, after the row's own key columns. */
export const KV_COLUMNS = 'value_type, bool_v, long_v, dbl_v, str_v, json_v';
/** `col = excluded.col` for every typed column, for ON CONFLICT DO UPDATE. */
export const KV_UPDATE = 'value_type = excluded.value_type, bool_v = excluded.bool_v, long_v = excluded.long_v, '
  + 'dbl_v = excluded.dbl_v, str_v = excluded.str_v, json_v = excluded.json_v';

/** Appends the KV_COLUMNS values to a multi-row statement's parameters. */
export function pushKv(out: SQLInputValue[], c: KvColumns): void {
  out.push(c.type, c.bool === null ? null : c.bool ? 1 : 0, c.long, c.dbl, c.str, c.json);
}

export interface KvRow {
  value_type: string;
  bool_v: number | null;
  long_v: number | null;
  dbl_v: number | null;
  str_v: string | null;
  json_v: string | null;
}

export function kvFromRow(r: KvRow): KvValue {
  return fromKvColumns({ type: r.value_type, bool: r.bool_v, long: r.long_v, dbl: r.dbl_v, str: r.str_v, json: r.json_v });
}

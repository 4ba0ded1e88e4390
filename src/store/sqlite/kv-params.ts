/** SQLite binding of the typed value columns (see ../kv-columns.ts). */
import type { SQLInputValue } from 'node:sqlite';
import type { KvColumns } from '../kv-columns.ts';

/** Appends the KV_COLUMNS (../kv-columns.ts) values to a multi-row statement's parameters. */
export function pushKv(out: SQLInputValue[], c: KvColumns): void {
  out.push(c.type, c.bool === null ? null : c.bool ? 1 : 0, c.long, c.dbl, c.str, c.json);
}

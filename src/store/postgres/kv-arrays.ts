/**
 * PostgreSQL binding of the typed value columns (see ../kv-columns.ts). Batched writes pass one
 * array per column and expand them with `unnest`, so a statement costs one round trip whatever
 * the row count.
 */
import type { KvColumns } from '../kv-columns.ts';

/** The unnest casts of the KV_COLUMNS (../kv-columns.ts) arrays starting at parameter `$first`. */
export function kvUnnest(first: number): string {
  const types = ['text', 'boolean', 'bigint', 'float8', 'text', 'text'];
  return types.map((t, i) => `$${first + i}::${t}[]`).join(', ');
}

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

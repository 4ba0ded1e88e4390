/** What the dedupe layout bench drives: one candidate layout of the dedupe record, on one store. */

/**
 * - `hash32+time-index`: the layout before ADR 011: (integration, sourceKey: the hash's 32 bytes),
 *   a committed_at column and its index, pruned row by row.
 * - `hash32`: the same keys without committed_at, in generation tables dropped whole.
 * - `digest16`: 16 bytes of SHA-256(sourceKey) per key, in generation tables dropped whole.
 * - `digest16+filter`: the same, with a Bloom filter of the previous generation in memory: a
 *   checked key it rules out is not looked up there.
 * - `digest16+time-index`: 16-byte digests in one table with committed_at and its index.
 * - `int64`: 8 bytes of SHA-256 as a 64-bit integer key (SQLite: the rowid), generation tables.
 * - `int64+lo`: the same 8 bytes as the rowid and the next 8 as a column (SQLite): 128 bits per key.
 * - `log16`: 16-byte digests appended with no index (a lower bound: nothing can be checked).
 */
export const DEDUPE_LAYOUTS = ['hash32+time-index', 'hash32', 'digest16', 'digest16+filter', 'digest16+time-index', 'int64', 'int64+lo', 'log16'];

/** Layouts only the SQLite bench has. */
export const SQLITE_ONLY = new Set(['int64+lo']);

export type RecordMode = 'record-only' | 'check';

export interface LayoutBench {
  /**
   * Records the keys in one durable transaction. `check`: each key is first looked up (a key
   * found is a duplicate and recorded no further), as the store does for redeliveries.
   */
  record(keys: string[], mode: RecordMode): Promise<void>;
  count(): Promise<number>;
  /** Generation layouts: later keys go to a new generation (the previous one is still checked). */
  rotate(): Promise<void>;
  /**
   * Forgets the oldest keys as housekeeping would: generation layouts drop the previous generation
   * (the first half of the fill), the others delete the keys of the oldest 1% of commits row by row.
   * Returns how many keys went.
   */
  pruneAll(): Promise<number>;
  /** CPU ms the database backend serving this bench used so far (0 for SQLite: it runs in this process). */
  backendCpuMs(): Promise<number>;
  close(): Promise<void>;
}

/** Layouts kept in generation tables: `g1` (previous) and `g2` (current). */
export function isGenerational(layout: string): boolean {
  return layout === 'hash32' || layout.startsWith('digest16') && !layout.endsWith('time-index') || layout.startsWith('int64');
}

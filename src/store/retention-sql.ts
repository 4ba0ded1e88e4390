/**
 * What both SQL stores' retention modules share: per kind of row, its table, age column and the
 * rows that may go; and the cursor of a telemetry prune (the next series to visit).
 */
import type { RetentionKind } from './types.ts';

/** Series (device and key) a telemetry prune visits per call at most. */
export const SERIES_PER_CALL = 500;

/** The tables pruned row by row (telemetry is pruned per series). */
export const ROW_TABLES: Record<Exclude<RetentionKind, 'telemetry'>, { table: string; age: string; extra: string }> = {
  events: { table: 'events', age: 'ts', extra: '' },
  // A pending dead letter is a message not stored yet: it stays until replayed or discarded.
  deadLetters: { table: 'dead_letters', age: 'created_at', extra: " AND state <> 'pending'" },
  // Queued downlinks are still to be sent: only their history (sent, failed) is pruned.
  downlinks: { table: 'downlinks', age: 'created_at', extra: " AND status <> 'queued'" },
};

/** A telemetry series position: [entity seq, key (SQLite: its id)]. */
export type SeriesCursor = [number, number | string];

export function encodeSeriesCursor(c: SeriesCursor): string {
  return JSON.stringify(c);
}

export function decodeSeriesCursor(cursor: string | null): SeriesCursor | null {
  if (cursor === null) return null;
  const parsed = JSON.parse(cursor) as unknown;
  return Array.isArray(parsed) && parsed.length === 2 && typeof parsed[0] === 'number' ? parsed as SeriesCursor : null;
}

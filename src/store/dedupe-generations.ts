/**
 * Dedupe keys live in two generation tables, `dedupe_keys_0` and `dedupe_keys_1` (ADR 011): new
 * keys go to the current one, the previous one holds older keys and is only read. Housekeeping's
 * prune(olderThan) never deletes keys one by one: once the current generation started at or before
 * the cutoff, every key of the previous one is older than the cutoff, so that table is emptied
 * whole and becomes the current one. A key is kept at least the retention (olderThan = now -
 * retention) and at most about twice as long. A cutoff in the future (all keys) empties both.
 * Both stores decide with these functions; `dedupe_generations` holds each slot's start time.
 */

export type Slot = 0 | 1;

export interface Generations {
  current: Slot;
  previous: Slot;
  /** When the current generation started (epoch ms): no key in it is older. */
  currentStartedAt: number;
  previousStartedAt: number;
}

/** A value per slot. */
export function bySlot<T>(f: (slot: Slot) => T): readonly [T, T] {
  return [f(0), f(1)];
}

/** The generations from the rows of `dedupe_generations`: the current one started last. */
export function generationsOf(rows: ReadonlyArray<{ slot: number; started_at: number }>): Generations {
  const [a, b] = [...rows].sort((x, y) => y.started_at - x.started_at);
  if (a === undefined || b === undefined || a.slot === b.slot) throw new Error('dedupe_generations must hold slots 0 and 1');
  return { current: a.slot as Slot, previous: b.slot as Slot, currentStartedAt: a.started_at, previousStartedAt: b.started_at };
}

export interface PrunePlan {
  /** Slots whose tables are emptied. */
  empty: Slot[];
  /** The slot that starts now (it becomes, or stays, the current one) and its new start, or null. */
  restart: { slot: Slot; startedAt: number } | null;
}

/** What prune(olderThan) does at `now`. */
export function prunePlan(g: Generations, olderThan: number, now: number): PrunePlan {
  // The restarted slot must stay (or become) the one that started last, even if the clock went back.
  if (olderThan > now) return { empty: [g.previous, g.current], restart: { slot: g.current, startedAt: Math.max(now, g.previousStartedAt + 1) } };
  if (g.currentStartedAt <= olderThan) return { empty: [g.previous], restart: { slot: g.previous, startedAt: Math.max(now, g.currentStartedAt + 1) } };
  return { empty: [], restart: null };
}

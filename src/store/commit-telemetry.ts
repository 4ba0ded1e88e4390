/**
 * The telemetry of one commit, decided in memory before and while it is written (both SQL stores).
 * No point vanishes silently:
 *
 * - A point with its own ts (explicit) goes to its slot (entity, key, ts). Points of the commit at
 *   one slot keep the last; the same holds for a row already stored there. A replaced value that
 *   came from another message and differs from the new one counts as an overwrite of the message
 *   that replaced it. The store tells which slots already held a row (`storedAt`).
 * - A point without ts (implicit, its message's time) never replaces anything: it takes the first
 *   millisecond at or after that time where neither the commit nor the store holds a point of its
 *   entity and key. Implicit points with the same time are placed in message order. All of one
 *   message's implicit points for one entity and key share one slot (the last value wins). When
 *   the store finds a slot taken (a row written before, possibly by another instance), it hands
 *   the refused points back (`replace`) and writes them again further on.
 *
 * Fast path: `TakenRuns` remembers, per entity and key, the run of consecutive slots this store
 * committed last, so a burst of points without ts (more than one per millisecond for a while)
 * starts after the run instead of being refused slot by slot. It is only a hint; the database's
 * unique key still checks every slot.
 *
 * Points are kept in arrays and sorted once in table order (entity, key, ts), which is also the
 * order the stores write in; Array.prototype.sort is stable, so equal slots keep commit order.
 *
 * `K` is how a store names a key: its id (SQLite) or its text (PostgreSQL).
 */
import type { TelemetryPoint } from '../core/model.ts';
import type { KvColumns } from './kv-columns.ts';

/** One row to write: a point at its slot, and the index of the commit item it came from. */
export interface SlotPoint<K> {
  item: number;
  entitySeq: number;
  key: K;
  ts: number;
  kv: KvColumns;
}

/** An explicit slot of the commit: its last point, and its first (compared with a stored row). */
export interface ExplicitSlot<K> extends SlotPoint<K> {
  firstItem: number;
  firstKv: KvColumns;
}

interface ImplicitPoint<K> extends SlotPoint<K> {
  /** The message's time: the point's slot is at or after it. */
  base: number;
  /** The point of the same message, entity and key whose slot this one shares (it was not written itself). */
  into?: ImplicitPoint<K>;
}

/** Where to look for stored rows in the way of refused implicit points (inclusive range). */
export interface TakenWindow<K> {
  entitySeq: number;
  key: K;
  from: number;
  to: number;
}

/** A stored row's slot. */
export interface StoredSlot<K> {
  entitySeq: number;
  key: K;
  ts: number;
}

/** Rows beyond the refused points' own slots read per window: enough to place them in one go. */
const WINDOW_MARGIN = 256;

export function slotKey(entitySeq: number, key: string | number, ts: number): string {
  return `${entitySeq}\u0000${key}\u0000${ts}`;
}

function pairKey(entitySeq: number, key: string | number): string {
  return `${entitySeq}\u0000${key}`;
}

export function sameKv(a: KvColumns, b: KvColumns): boolean {
  return a.type === b.type && a.bool === b.bool && a.long === b.long && a.dbl === b.dbl && a.str === b.str && a.json === b.json;
}

function comparePair<K extends string | number>(a: SlotPoint<K>, b: SlotPoint<K>): number {
  return a.entitySeq - b.entitySeq || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/** Table order (entity, key, ts): neighbouring rows share B-tree pages, and concurrent commits lock in one order. */
function byKey<K extends string | number>(a: SlotPoint<K>, b: SlotPoint<K>): number {
  return comparePair(a, b) || a.ts - b.ts;
}

function samePair<K extends string | number>(a: SlotPoint<K>, b: SlotPoint<K>): boolean {
  return a.entitySeq === b.entitySeq && a.key === b.key;
}

/** What this store committed for one entity and key: its last run of consecutive slots, and its newest slot. */
interface Run {
  from: number;
  to: number;
  /** The newest slot this store committed (at least `to`). */
  max: number;
}

/**
 * Per (entity, key) that had points without ts, what this store committed (bounded: past the
 * bound everything is forgotten). A hint, never a check: see the file comment. `expectedFree`
 * lets a store insert without asking which slots were taken, as long as it verifies the count of
 * inserted rows and redoes the commit without hints when the count is short.
 */
export class TakenRuns {
  readonly #runs = new Map<number, Map<string | number, Run>>();
  readonly #maxEntries: number;
  #size = 0;

  constructor(maxEntries = 100_000) {
    this.#maxEntries = maxEntries;
  }

  get(entitySeq: number, key: string | number): Run | undefined {
    return this.#runs.get(entitySeq)?.get(key);
  }

  /** Forgets everything (a hint proved wrong: another writer). */
  clear(): void {
    this.#runs.clear();
    this.#size = 0;
  }

  /** Call after COMMIT with the committed slots of one entity and key, ascending. */
  learn(entitySeq: number, key: string | number, slots: readonly number[]): void {
    let byKey = this.#runs.get(entitySeq);
    let run = byKey?.get(key);
    const known = run !== undefined;
    for (let i = 0; i < slots.length;) {
      const from = slots[i] as number;
      let to = from;
      while (i + 1 < slots.length && slots[i + 1] === to + 1) to = slots[++i] as number;
      i++;
      if (run !== undefined && from <= run.to + 1 && to >= run.from - 1) run = { from: Math.min(run.from, from), to: Math.max(run.to, to), max: Math.max(run.max, to) };
      else if (run === undefined || to > run.to) run = { from, to, max: Math.max(run?.max ?? to, to) };
    }
    if (run === undefined) return;
    if (!known) {
      if (this.#size >= this.#maxEntries) this.clear();
      this.#size++;
    }
    if (byKey === undefined || !this.#runs.has(entitySeq)) this.#runs.set(entitySeq, (byKey = new Map()));
    byKey.set(key, run);
  }

  /** Call after COMMIT for a slot written with its own ts: keeps `max` of a known pair right. */
  noteSlot(entitySeq: number, key: string | number, ts: number): void {
    const run = this.#runs.get(entitySeq)?.get(key);
    if (run !== undefined && ts > run.max) run.max = ts;
  }
}

export class CommitTelemetry<K extends string | number> {
  /** Explicit points in commit order, then (explicitRows) one per slot in table order. */
  #explicit: Array<ExplicitSlot<K>> = [];
  #explicitDone = false;
  /** Implicit points in commit order, then (placeImplicit) one per message, entity and key, in table order. */
  #implicit: Array<ImplicitPoint<K>> = [];
  /** pairKey → ts of the commit's explicit slots, for pairs that also have implicit points. */
  #explicitTs: Map<string, Set<number>> | null = null;
  /** item → points of other messages it replaced with a different value. */
  readonly #overwritten = new Map<number, number>();
  readonly #runs: TakenRuns | undefined;

  constructor(runs?: TakenRuns) {
    this.#runs = runs;
  }

  get size(): number {
    return this.#explicit.length + this.#implicit.length;
  }

  /**
   * Buffers a stored item's point; items must be added in commit order. Returns the buffered
   * point, whose slot `storedTs` tells once the points were placed (the outbox, ADR 017).
   */
  add(item: number, entitySeq: number, key: K, point: Pick<TelemetryPoint, 'ts' | 'implicitTs'>, kv: KvColumns): SlotPoint<K> {
    let p: SlotPoint<K>;
    if (point.implicitTs === true) this.#implicit.push((p = { item, entitySeq, key, ts: point.ts, base: point.ts, kv } as ImplicitPoint<K>));
    else this.#explicit.push((p = { item, entitySeq, key, ts: point.ts, kv, firstItem: item, firstKv: kv } as ExplicitSlot<K>));
    return p;
  }

  /** The ts a point `add` returned was stored at, once the store wrote the commit's points. */
  storedTs(point: SlotPoint<K>): number {
    return ((point as ImplicitPoint<K>).into ?? point).ts;
  }

  /**
   * The explicit points, one per slot, in table order; call once, before placeImplicit. Points of
   * the commit at one slot keep the last; a different value of another message replaced counts.
   */
  explicitRows(): Array<ExplicitSlot<K>> {
    if (this.#explicitDone) return this.#explicit;
    this.#explicitDone = true;
    const sorted = this.#explicit.sort(byKey);
    const out: Array<ExplicitSlot<K>> = [];
    let slot: ExplicitSlot<K> | undefined;
    for (const p of sorted) {
      if (slot !== undefined && slot.ts === p.ts && samePair(slot, p)) {
        if (slot.item !== p.item && !sameKv(slot.kv, p.kv)) this.#count(p.item);
        slot.item = p.item;
        slot.kv = p.kv;
        continue;
      }
      slot = p;
      out.push(p);
    }
    this.#explicit = out;
    return out;
  }

  /**
   * The store found a row at an explicit slot of this commit, holding `stored`. Counts the
   * overwrite when the commit's first value there differs; true when the row must be updated.
   */
  storedAt(slot: ExplicitSlot<K>, stored: KvColumns): boolean {
    if (!sameKv(stored, slot.firstKv)) this.#count(slot.firstItem);
    return !sameKv(stored, slot.kv);
  }

  /** Gives every implicit point its first slot (not yet checked against the store); in table order. */
  placeImplicit(): SlotPoint<K>[] {
    this.explicitRows();
    if (this.#implicit.length === 0) return [];
    // Stable: by entity, key and time, then commit (message) order.
    const sorted = this.#implicit.sort((a, b) => comparePair(a, b) || a.base - b.base);
    const explicitTs = this.#explicitSlotsOfImplicitPairs(sorted);
    const out: Array<ImplicitPoint<K>> = [];
    let prev: ImplicitPoint<K> | undefined;
    let run: Run | undefined;
    let taken: Set<number> | undefined;
    let last = -Infinity;
    for (const p of sorted) {
      if (prev !== undefined && samePair(prev, p)) {
        if (prev.item === p.item) {
          // The same message again (the same time): one point, the last value wins.
          prev.kv = p.kv;
          p.into = prev;
          continue;
        }
      } else {
        run = this.#runs?.get(p.entitySeq, p.key);
        taken = explicitTs?.get(pairKey(p.entitySeq, p.key));
        last = -Infinity;
      }
      let t = Math.max(p.base, last + 1);
      if (run !== undefined && t >= run.from && t <= run.to) t = run.to + 1;
      if (taken !== undefined) while (taken.has(t)) t++;
      p.ts = t;
      last = t;
      prev = p;
      out.push(p);
    }
    this.#implicit = out;
    return out;
  }

  /** The ranges to read the stored slots of, before `replace` moves the refused points. */
  takenWindows(refused: ReadonlyArray<SlotPoint<K>>): Array<TakenWindow<K>> {
    const windows = new Map<string, TakenWindow<K> & { count: number }>();
    for (const p of refused) {
      const id = pairKey(p.entitySeq, p.key);
      const w = windows.get(id);
      if (w === undefined) windows.set(id, { entitySeq: p.entitySeq, key: p.key, from: p.ts, to: p.ts, count: 1 });
      else {
        w.from = Math.min(w.from, p.ts);
        w.to = Math.max(w.to, p.ts);
        w.count++;
      }
    }
    return [...windows.values()].map((w) => ({ entitySeq: w.entitySeq, key: w.key, from: w.from, to: w.to + w.count + WINDOW_MARGIN }));
  }

  /**
   * Moves implicit points whose slot the store found taken to the next slots free in the commit
   * and among `stored` (the stored slots of `takenWindows`); returns them, in table order, to be
   * written again. A slot beyond the windows may still be taken: the store then calls again.
   */
  replace(refused: ReadonlyArray<SlotPoint<K>>, stored: Iterable<StoredSlot<K>>): SlotPoint<K>[] {
    const taken = new Set<string>();
    for (const s of stored) taken.add(slotKey(s.entitySeq, s.key, s.ts));
    for (const p of refused) taken.add(slotKey(p.entitySeq, p.key, p.ts));
    const pairs = new Set(refused.map((p) => pairKey(p.entitySeq, p.key)));
    for (const p of [...this.#implicit, ...this.#explicit]) if (pairs.has(pairKey(p.entitySeq, p.key))) taken.add(slotKey(p.entitySeq, p.key, p.ts));
    const moved = [...refused].sort(byKey);
    let prev: SlotPoint<K> | undefined;
    let last = -Infinity;
    for (const p of moved) {
      if (prev === undefined || !samePair(prev, p)) last = -Infinity;
      // In table order, each point of a pair starts after the previous one: the walk stays linear.
      let t = Math.max(p.ts + 1, last + 1);
      while (taken.has(slotKey(p.entitySeq, p.key, t))) t++;
      p.ts = t;
      last = t;
      prev = p;
      taken.add(slotKey(p.entitySeq, p.key, t));
    }
    return moved;
  }

  /** The newest point per (entity, key) of this commit, once every slot is final; in table order. */
  latestRows(): SlotPoint<K>[] {
    const out: Array<SlotPoint<K>> = [];
    // The explicit slots are sorted: the last of each pair is its newest.
    const explicit = this.explicitRows();
    for (let i = 0; i < explicit.length; i++) {
      const p = explicit[i] as SlotPoint<K>;
      const next = explicit[i + 1];
      if (next === undefined || !samePair(p, next)) out.push(p);
    }
    if (this.#implicit.length === 0) return out;
    const newest = new Map<number, Map<K, SlotPoint<K>>>();
    for (const p of [...out, ...this.#implicit]) {
      let byKeyOf = newest.get(p.entitySeq);
      if (byKeyOf === undefined) newest.set(p.entitySeq, (byKeyOf = new Map()));
      const current = byKeyOf.get(p.key);
      if (current === undefined || p.ts > current.ts) byKeyOf.set(p.key, p);
    }
    return [...newest.values()].flatMap((m) => [...m.values()]).sort(byKey);
  }

  /**
   * True when the store's TakenRuns say no stored row can be at this implicit point's slot: this
   * store committed the pair's newest slot, and the point is after it. Only as good as the hint:
   * a store relying on it must check the count of inserted rows.
   */
  expectedFree(p: SlotPoint<K>): boolean {
    const run = this.#runs?.get(p.entitySeq, p.key);
    return run !== undefined && p.ts > run.max;
  }

  /** After COMMIT: teaches the store's TakenRuns the slots of every entity and key that had points without ts. */
  committed(): void {
    const runs = this.#runs;
    if (runs === undefined) return;
    for (const p of this.#explicit) runs.noteSlot(p.entitySeq, p.key, p.ts);
    if (this.#implicit.length === 0) return;
    const sorted = this.#implicit.sort(byKey);
    for (let i = 0; i < sorted.length;) {
      const first = sorted[i] as SlotPoint<K>;
      const slots: number[] = [];
      while (i < sorted.length && samePair(first, sorted[i] as SlotPoint<K>)) slots.push((sorted[i++] as SlotPoint<K>).ts);
      const explicit = this.#explicitTs?.get(pairKey(first.entitySeq, first.key));
      if (explicit !== undefined) {
        slots.push(...explicit);
        slots.sort((a, b) => a - b);
      }
      runs.learn(first.entitySeq, first.key, slots);
    }
  }

  /** Points of other messages the item replaced with a different value. */
  overwrittenBy(item: number): number {
    return this.#overwritten.get(item) ?? 0;
  }

  /** ts of the explicit slots per pair, for the pairs of `implicit` (null when there are none). */
  #explicitSlotsOfImplicitPairs(implicit: ReadonlyArray<SlotPoint<K>>): Map<string, Set<number>> | null {
    if (this.#explicit.length === 0) return null;
    const pairs = new Set(implicit.map((p) => pairKey(p.entitySeq, p.key)));
    const out = new Map<string, Set<number>>();
    for (const p of this.#explicit) {
      const id = pairKey(p.entitySeq, p.key);
      if (!pairs.has(id)) continue;
      let set = out.get(id);
      if (set === undefined) out.set(id, (set = new Set()));
      set.add(p.ts);
    }
    this.#explicitTs = out;
    return out;
  }

  #count(item: number): void {
    this.#overwritten.set(item, (this.#overwritten.get(item) ?? 0) + 1);
  }
}

/** The rows of `written` that are not among the `returned` slots (those the store did not insert). */
export function notInserted<K, P extends SlotPoint<K>>(written: readonly P[], returned: ReadonlyArray<StoredSlot<K>>): P[] {
  const inserted = new Set(returned.map((r) => slotKey(r.entitySeq, r.key as string | number, r.ts)));
  return written.filter((p) => !inserted.has(slotKey(p.entitySeq, p.key as string | number, p.ts)));
}

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

interface ExplicitSlot<K> extends SlotPoint<K> {
  /** The first item of the commit that wrote this slot, and its value (compared with a stored row). */
  firstItem: number;
  firstKv: KvColumns;
}

interface ImplicitPoint<K> extends SlotPoint<K> {
  /** The message's time: the point's slot is at or after it. */
  base: number;
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

/** Table order (entity, key, ts): neighbouring rows share B-tree pages, and concurrent commits lock in one order. */
function byKey<K extends string | number>(a: SlotPoint<K>, b: SlotPoint<K>): number {
  return a.entitySeq - b.entitySeq || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) || a.ts - b.ts;
}

export class CommitTelemetry<K extends string | number> {
  /** slotKey → the slot's last point. */
  readonly #explicit = new Map<string, ExplicitSlot<K>>();
  /** `item \0 entity \0 key` → the message's implicit point for that entity and key. */
  readonly #implicit = new Map<string, ImplicitPoint<K>>();
  /** item → points of other messages it replaced with a different value. */
  readonly #overwritten = new Map<number, number>();

  get size(): number {
    return this.#explicit.size + this.#implicit.size;
  }

  /** Buffers a stored item's point; items must be added in commit order. */
  add(item: number, entitySeq: number, key: K, point: Pick<TelemetryPoint, 'ts' | 'implicitTs'>, kv: KvColumns): void {
    if (point.implicitTs === true) {
      const id = `${item}\u0000${entitySeq}\u0000${key}`;
      const known = this.#implicit.get(id);
      if (known) known.kv = kv;
      else this.#implicit.set(id, { item, entitySeq, key, ts: point.ts, base: point.ts, kv });
      return;
    }
    const id = slotKey(entitySeq, key, point.ts);
    const slot = this.#explicit.get(id);
    if (slot === undefined) {
      this.#explicit.set(id, { item, entitySeq, key, ts: point.ts, kv, firstItem: item, firstKv: kv });
      return;
    }
    if (slot.item !== item && !sameKv(slot.kv, kv)) this.#count(item);
    slot.item = item;
    slot.kv = kv;
  }

  /** The explicit points, one per slot, in key order. */
  explicitRows(): SlotPoint<K>[] {
    return [...this.#explicit.values()].sort(byKey);
  }

  /**
   * The store found a row at an explicit slot of this commit, holding `stored`. Counts the
   * overwrite when the commit's first value there differs; true when the row must be updated.
   */
  storedAt(slot: SlotPoint<K>, stored: KvColumns): boolean {
    const s = this.#explicit.get(slotKey(slot.entitySeq, slot.key, slot.ts));
    if (s === undefined) return false;
    if (!sameKv(stored, s.firstKv)) this.#count(s.firstItem);
    return !sameKv(stored, s.kv);
  }

  /** Gives every implicit point its first slot (not yet checked against the store); in key order. */
  placeImplicit(): SlotPoint<K>[] {
    const byPair = new Map<string, Array<ImplicitPoint<K>>>();
    for (const p of this.#implicit.values()) {
      const id = pairKey(p.entitySeq, p.key);
      const group = byPair.get(id);
      if (group) group.push(p);
      else byPair.set(id, [p]);
    }
    const out: Array<SlotPoint<K>> = [];
    const checkExplicit = this.#explicit.size > 0;
    for (const group of byPair.values()) {
      // Stable: points with the same time keep message order.
      if (group.length > 1) group.sort((a, b) => a.base - b.base);
      let last = -Infinity;
      for (const p of group) {
        let t = Math.max(p.base, last + 1);
        if (checkExplicit) while (this.#explicit.has(slotKey(p.entitySeq, p.key, t))) t++;
        p.ts = t;
        last = t;
        out.push(p);
      }
    }
    return out.sort(byKey);
  }

  /** The ranges to read the stored slots of, before `replace` moves the refused points. */
  takenWindows(refused: readonly SlotPoint<K>[]): Array<TakenWindow<K>> {
    const windows = new Map<string, TakenWindow<K>>();
    for (const p of refused) {
      const id = pairKey(p.entitySeq, p.key);
      const w = windows.get(id);
      if (w === undefined) windows.set(id, { entitySeq: p.entitySeq, key: p.key, from: p.ts, to: p.ts });
      else {
        w.from = Math.min(w.from, p.ts);
        w.to = Math.max(w.to, p.ts);
      }
    }
    const counts = new Map<string, number>();
    for (const p of refused) counts.set(pairKey(p.entitySeq, p.key), (counts.get(pairKey(p.entitySeq, p.key)) ?? 0) + 1);
    for (const [id, w] of windows) w.to += (counts.get(id) ?? 0) + WINDOW_MARGIN;
    return [...windows.values()];
  }

  /**
   * Moves implicit points whose slot the store found taken to the next slots free in the commit
   * and among `stored` (the stored slots of `takenWindows`); returns them, in key order, to be
   * written again. A slot beyond the windows may still be taken: the store then calls again.
   */
  replace(refused: readonly SlotPoint<K>[], stored: Iterable<StoredSlot<K>>): SlotPoint<K>[] {
    const taken = new Set<string>();
    for (const s of stored) taken.add(slotKey(s.entitySeq, s.key, s.ts));
    for (const p of refused) taken.add(slotKey(p.entitySeq, p.key, p.ts));
    const pairs = new Set(refused.map((p) => pairKey(p.entitySeq, p.key)));
    for (const p of this.#implicit.values()) if (pairs.has(pairKey(p.entitySeq, p.key))) taken.add(slotKey(p.entitySeq, p.key, p.ts));
    const moved = [...refused].sort((a, b) => byKey(a, b));
    for (const p of moved) {
      let t = p.ts + 1;
      while (taken.has(slotKey(p.entitySeq, p.key, t)) || this.#explicit.has(slotKey(p.entitySeq, p.key, t))) t++;
      p.ts = t;
      taken.add(slotKey(p.entitySeq, p.key, t));
    }
    return moved;
  }

  /** The newest point per (entity, key) of this commit, once every slot is final; in key order. */
  latestRows(): SlotPoint<K>[] {
    const newest = new Map<string, SlotPoint<K>>();
    const consider = (p: SlotPoint<K>): void => {
      const id = pairKey(p.entitySeq, p.key);
      const current = newest.get(id);
      if (current === undefined || p.ts >= current.ts) newest.set(id, p);
    };
    for (const p of this.#explicit.values()) consider(p);
    for (const p of this.#implicit.values()) consider(p);
    return [...newest.values()].sort(byKey);
  }

  /** Points of other messages the item replaced with a different value. */
  overwrittenBy(item: number): number {
    return this.#overwritten.get(item) ?? 0;
  }

  #count(item: number): void {
    this.#overwritten.set(item, (this.#overwritten.get(item) ?? 0) + 1);
  }
}

/** The rows of `written` that are not among the `returned` slots (those the store did not insert). */
export function notInserted<K>(written: readonly SlotPoint<K>[], returned: ReadonlyArray<StoredSlot<K>>): SlotPoint<K>[] {
  const inserted = new Set(returned.map((r) => slotKey(r.entitySeq, r.key as string | number, r.ts)));
  return written.filter((p) => !inserted.has(slotKey(p.entitySeq, p.key as string | number, p.ts)));
}

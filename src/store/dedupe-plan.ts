/**
 * Which items of a commit are live, from their dedupe modes and the keys the store already holds
 * (both SQL stores). The store first claims the `check` keys (records them unless they are
 * already held) and touches the `record-only` ones, then decides the items in order.
 */
import type { DedupeMode } from '../core/model.ts';
import type { UplinkCommitItem } from './types.ts';

function sorted(keys: Iterable<string>): string[] {
  return [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Which keys a commit must claim (first named by a `check` item) and touch (named by a
 * `record-only` item). Items with dedupe `none` name no key.
 */
export interface DedupePlan {
  claim: string[];
  touch: string[];
}

export function planDedupe(items: readonly UplinkCommitItem[]): DedupePlan {
  const first = new Map<string, DedupeMode>();
  const touch = new Set<string>();
  for (const item of items) {
    const mode = item.dedupe ?? 'check';
    if (mode === 'none') continue;
    if (!first.has(item.sourceKey)) first.set(item.sourceKey, mode);
    if (mode === 'record-only') touch.add(item.sourceKey);
  }
  return { claim: sorted([...first].filter(([, mode]) => mode === 'check').map(([key]) => key)), touch: sorted(touch) };
}

/**
 * Which items are live (not duplicates), in order. `check`: a duplicate when its key was recorded
 * earlier in this commit, or committed before (the first `check` item of a key is live only when
 * this commit claimed the key). `record-only`: never a duplicate. `none`: never a duplicate, and
 * records no key.
 */
export function liveItems(items: readonly UplinkCommitItem[], claimed: ReadonlySet<string>): boolean[] {
  const recorded = new Set<string>();
  return items.map((item) => {
    const key = item.sourceKey;
    const mode = item.dedupe ?? 'check';
    if (mode === 'none') return true;
    const live = mode === 'record-only' || (!recorded.has(key) && claimed.has(key));
    if (live) recorded.add(key);
    return live;
  });
}

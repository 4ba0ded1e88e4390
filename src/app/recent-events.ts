/**
 * The last lifecycle, warning and error events of each integration (and of the service itself),
 * kept in memory beside the store, so `GET /events` can still answer while the store is down. An
 * event the store could not record is kept here too. Bounded: `perIntegration` events each.
 */
import { typesOf } from '../store/rows.ts';
import type { EventInput, EventType, StoredEvent } from '../store/types.ts';

/** An event as served from memory: `id` is `memory-<n>`, `source` says where it came from. */
export interface MemoryEvent extends StoredEvent {
  source: 'memory';
}

export interface RecentEventQuery {
  integrationId?: string;
  type?: EventType;
  types?: readonly EventType[];
  from?: number;
  to?: number;
  /** Events older than this memory id (paging). */
  before?: string;
  limit?: number;
}

const SYSTEM = '';
const ID_PREFIX = 'memory-';

export class RecentEvents {
  private readonly perIntegration: number;
  private readonly rings = new Map<string, MemoryEvent[]>();
  private seq = 0;

  constructor(perIntegration = 100) {
    this.perIntegration = perIntegration;
  }

  add(e: EventInput): void {
    const key = e.integrationId ?? SYSTEM;
    let ring = this.rings.get(key);
    if (!ring) {
      ring = [];
      this.rings.set(key, ring);
    }
    ring.push({ ...e, integrationId: e.integrationId ?? null, id: `${ID_PREFIX}${++this.seq}`, source: 'memory' });
    if (ring.length > this.perIntegration) ring.splice(0, ring.length - this.perIntegration);
  }

  /** Newest first, like the store's listEvents. */
  list(q: RecentEventQuery): MemoryEvent[] {
    const rings = q.integrationId !== undefined ? [this.rings.get(q.integrationId) ?? []] : [...this.rings.values()];
    const beforeSeq = q.before?.startsWith(ID_PREFIX) ? Number(q.before.slice(ID_PREFIX.length)) : Infinity;
    const types = typesOf(q);
    return rings.flat()
      .filter((e) => (types.length === 0 || types.includes(e.type)) && seqOf(e) < beforeSeq && e.ts >= (q.from ?? -Infinity) && e.ts < (q.to ?? Infinity))
      .sort((a, b) => b.ts - a.ts || seqOf(b) - seqOf(a))
      .slice(0, q.limit ?? 100);
  }

  forget(integrationId: string): void {
    this.rings.delete(integrationId);
  }
}

function seqOf(e: MemoryEvent): number {
  return Number(e.id.slice(ID_PREFIX.length));
}

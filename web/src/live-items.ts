/**
 * A live list from one of the status streams (GET /api/v1/stream/integrations, /stream/forwarders):
 * a ticket from POST /stream/tickets opens it; "snapshot" sends every item, "status" one that
 * changed, "removed" names one by its key; on a drop, a new ticket after 2 s (ticket-stream.ts).
 */
import { useEffect, useState } from 'react';
import { openTicketStream } from './ticket-stream.ts';

export interface LiveItems<T> {
  /** By key, in the order the server lists them; null until the first snapshot. */
  items: Map<string, T> | null;
  connected: boolean;
  /** Bumped when the stream names an item the caller may not know (added or removed). */
  membership: number;
}

const parse = <T>(e: Event): T => JSON.parse((e as MessageEvent<string>).data) as T;

/** `stream`: the path under /api/v1/stream/; `key`: the field that names an item (and `removed`'s data). */
export function useLiveItems<T extends object>(stream: string, key: keyof T & string): LiveItems<T> {
  const [live, setLive] = useState<LiveItems<T>>({ items: null, connected: false, membership: 0 });
  useEffect(() => openTicketStream({
    url: (ticket) => `/api/v1/stream/${stream}?ticket=${encodeURIComponent(ticket)}`,
    listen: (source) => {
      const keyOf = (item: T): string => String(item[key]);
      source.addEventListener('snapshot', (e) => {
        const list = parse<T[]>(e);
        setLive((prev) => ({ items: new Map(list.map((i) => [keyOf(i), i])), connected: true, membership: prev.membership + 1 }));
      });
      source.addEventListener('status', (e) => {
        const item = parse<T>(e);
        setLive((prev) => {
          const items = new Map(prev.items);
          const known = items.has(keyOf(item));
          items.set(keyOf(item), item);
          return { items, connected: true, membership: prev.membership + (known ? 0 : 1) };
        });
      });
      source.addEventListener('removed', (e) => {
        const gone = String(parse<Record<string, unknown>>(e)[key]);
        setLive((prev) => {
          const items = new Map(prev.items);
          items.delete(gone);
          return { items, connected: true, membership: prev.membership + 1 };
        });
      });
    },
    connected: (on) => setLive((prev) => ({ ...prev, connected: on })),
  }), [stream, key]);
  return live;
}

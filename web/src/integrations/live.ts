/**
 * Live integration statuses from the server-sent event stream: a ticket from POST
 * /stream/tickets opens GET /stream/integrations; on a drop, a new ticket after 2 s.
 */
import { useEffect, useState } from 'react';
import { openTicketStream } from '../ticket-stream.ts';
import type { LiveStatus } from './types.ts';

export interface Live {
  statuses: Map<string, LiveStatus>;
  connected: boolean;
  /** Bumped when the stream names an integration the caller may not know (added or removed). */
  membership: number;
}

export function useLiveStatuses(): Live {
  const [live, setLive] = useState<Live>({ statuses: new Map(), connected: false, membership: 0 });
  useEffect(() => openTicketStream({
    url: (ticket) => `/api/v1/stream/integrations?ticket=${encodeURIComponent(ticket)}`,
    listen: (source) => {
      source.addEventListener('snapshot', (e) => {
        const items = JSON.parse((e as MessageEvent<string>).data) as LiveStatus[];
        setLive((prev) => ({ statuses: new Map(items.map((i) => [i.id, i])), connected: true, membership: prev.membership + 1 }));
      });
      source.addEventListener('status', (e) => {
        const item = JSON.parse((e as MessageEvent<string>).data) as LiveStatus;
        setLive((prev) => {
          const statuses = new Map(prev.statuses);
          const known = statuses.has(item.id);
          statuses.set(item.id, item);
          return { statuses, connected: true, membership: prev.membership + (known ? 0 : 1) };
        });
      });
      source.addEventListener('removed', (e) => {
        const { id } = JSON.parse((e as MessageEvent<string>).data) as { id: string };
        setLive((prev) => {
          const statuses = new Map(prev.statuses);
          statuses.delete(id);
          return { statuses, connected: true, membership: prev.membership + 1 };
        });
      });
    },
    connected: (on) => setLive((prev) => ({ ...prev, connected: on })),
  }), []);
  return live;
}

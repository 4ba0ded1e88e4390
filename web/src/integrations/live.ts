/**
 * Live integration statuses from the server-sent event stream: a ticket from POST
 * /stream/tickets opens GET /stream/integrations; on a drop, a new ticket after 2 s.
 */
import { useEffect, useState } from 'react';
import { api } from '../api.ts';
import type { LiveStatus } from './types.ts';

export interface Live {
  statuses: Map<string, LiveStatus>;
  connected: boolean;
  /** Bumped when the stream names an integration the caller may not know (added or removed). */
  membership: number;
}

export function useLiveStatuses(): Live {
  const [live, setLive] = useState<Live>({ statuses: new Map(), connected: false, membership: 0 });
  useEffect(() => {
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const open = async (): Promise<void> => {
      try {
        const { ticket } = await api<{ ticket: string }>('POST', '/stream/tickets');
        if (stopped) return;
        source = new EventSource(`/api/v1/stream/integrations?ticket=${encodeURIComponent(ticket)}`);
      } catch {
        retry = setTimeout(() => void open(), 2000);
        return;
      }
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
      source.onerror = () => {
        source?.close();
        setLive((prev) => ({ ...prev, connected: false }));
        if (!stopped) retry = setTimeout(() => void open(), 2000);
      };
    };
    void open();
    return () => {
      stopped = true;
      clearTimeout(retry);
      source?.close();
    };
  }, []);
  return live;
}

/**
 * New events from the server-sent event stream GET /stream/events (a ticket from POST
 * /stream/tickets opens it), for the filter shown; on a drop, a new ticket after 2 s, resuming
 * from the newest event received. The caller decides when to show them.
 */
import { useEffect, useState } from 'react';
import { api } from '../api.ts';
import type { EventItem } from './types.ts';

export interface LiveEvents {
  connected: boolean;
  /** Received since the caller last took them, oldest first. */
  fresh: EventItem[];
  take: () => EventItem[];
}

/** `filter`: the stream's query (integration, type); `from`: ms to start at. Reopens when either changes. */
export function useLiveEvents(filter: string, from: number | null): LiveEvents {
  const [connected, setConnected] = useState(false);
  const [fresh, setFresh] = useState<EventItem[]>([]);
  useEffect(() => {
    if (from === null) return;
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    let resumeAt = from;
    setFresh([]);
    const open = async (): Promise<void> => {
      try {
        const { ticket } = await api<{ ticket: string }>('POST', '/stream/tickets');
        if (stopped) return;
        const params = new URLSearchParams(filter);
        params.set('ticket', ticket);
        params.set('from', String(resumeAt));
        source = new EventSource(`/api/v1/stream/events?${params.toString()}`);
      } catch {
        retry = setTimeout(() => void open(), 2000);
        return;
      }
      source.onopen = () => setConnected(true);
      source.addEventListener('event', (e) => {
        const item = JSON.parse((e as MessageEvent<string>).data) as EventItem;
        resumeAt = Math.max(resumeAt, item.ts);
        setFresh((prev) => (prev.some((p) => p.id === item.id) ? prev : [...prev, item]));
      });
      source.onerror = () => {
        source?.close();
        setConnected(false);
        if (!stopped) retry = setTimeout(() => void open(), 2000);
      };
    };
    void open();
    return () => {
      stopped = true;
      clearTimeout(retry);
      source?.close();
    };
  }, [filter, from]);
  return {
    connected, fresh,
    take: () => {
      const taken = fresh;
      setFresh([]);
      return taken;
    },
  };
}

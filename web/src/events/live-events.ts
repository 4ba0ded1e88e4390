/**
 * New events from the server-sent event stream GET /stream/events for the filter shown; on a
 * reconnect it resumes from the newest event received. The caller decides when to show them.
 */
import { useEffect, useState } from 'react';
import { openTicketStream } from '../ticket-stream.ts';
import type { EventItem } from './types.ts';

export interface LiveEvents {
  connected: boolean;
  /** Received since the caller last took them, oldest first. */
  fresh: EventItem[];
  take: () => EventItem[];
}

/**
 * `filter`: the stream's query (integration, type); `from`: the newest event's ts shown (0: from
 * when the server opens the stream, by its clock; null: no stream). Reopens when either changes.
 */
export function useLiveEvents(filter: string, from: number | null): LiveEvents {
  const [connected, setConnected] = useState(false);
  const [fresh, setFresh] = useState<EventItem[]>([]);
  useEffect(() => {
    setFresh([]);
    if (from === null) return undefined;
    let resumeAt = from;
    return openTicketStream({
      url: (ticket) => {
        const params = new URLSearchParams(filter);
        params.set('ticket', ticket);
        if (resumeAt > 0) params.set('from', String(resumeAt));
        return `/api/v1/stream/events?${params.toString()}`;
      },
      listen: (source) => {
        source.onopen = () => setConnected(true);
        source.addEventListener('event', (e) => {
          const item = JSON.parse((e as MessageEvent<string>).data) as EventItem;
          resumeAt = Math.max(resumeAt, item.ts);
          setFresh((prev) => (prev.some((p) => p.id === item.id) ? prev : [...prev, item]));
        });
      },
      connected: setConnected,
    });
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

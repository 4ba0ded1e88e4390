/**
 * The forwarders, live: GET /stream/forwarders (server-sent events, opened with a stream ticket
 * like the integrations list) sends every forwarder, then each change; on a drop, a new ticket after 2 s.
 */
import { useEffect, useState } from 'react';
import { openTicketStream } from '../ticket-stream.ts';
import type { ForwarderView } from './types.ts';

export interface LiveForwarders {
  /** By name, in the order the server lists them; null until the first snapshot. */
  forwarders: Map<string, ForwarderView> | null;
  connected: boolean;
}

const parse = <T>(e: Event): T => JSON.parse((e as MessageEvent<string>).data) as T;

export function useLiveForwarders(): LiveForwarders {
  const [live, setLive] = useState<LiveForwarders>({ forwarders: null, connected: false });
  useEffect(() => openTicketStream({
    url: (ticket) => `/api/v1/stream/forwarders?ticket=${encodeURIComponent(ticket)}`,
    listen: (source) => {
      source.addEventListener('snapshot', (e) => {
        const items = parse<ForwarderView[]>(e);
        setLive({ forwarders: new Map(items.map((f) => [f.name, f])), connected: true });
      });
      source.addEventListener('status', (e) => {
        const item = parse<ForwarderView>(e);
        setLive((prev) => ({ forwarders: new Map(prev.forwarders).set(item.name, item), connected: true }));
      });
      source.addEventListener('removed', (e) => {
        const { name } = parse<{ name: string }>(e);
        setLive((prev) => {
          const forwarders = new Map(prev.forwarders);
          forwarders.delete(name);
          return { forwarders, connected: true };
        });
      });
    },
    connected: (on) => setLive((prev) => ({ ...prev, connected: on })),
  }), []);
  return live;
}

/**
 * Opens a server-sent event stream that needs a ticket (POST /stream/tickets: EventSource cannot
 * send the token); on a drop, a new ticket and stream after 2 s. Returns the function that closes it.
 */
import { api } from './api.ts';

export interface TicketStreamHandlers {
  /** The stream's URL for a ticket (asked again on every reconnect). */
  url: (ticket: string) => string;
  /** Adds the event listeners to a newly opened stream. */
  listen: (source: EventSource) => void;
  connected: (on: boolean) => void;
}

export function openTicketStream(h: TicketStreamHandlers): () => void {
  let source: EventSource | null = null;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const open = async (): Promise<void> => {
    try {
      const { ticket } = await api<{ ticket: string }>('POST', '/stream/tickets');
      if (stopped) return;
      source = new EventSource(h.url(ticket));
    } catch {
      retry = setTimeout(() => void open(), 2000);
      return;
    }
    h.listen(source);
    source.onerror = () => {
      source?.close();
      h.connected(false);
      if (!stopped) retry = setTimeout(() => void open(), 2000);
    };
  };
  void open();
  return () => {
    stopped = true;
    clearTimeout(retry);
    source?.close();
  };
}

/**
 * Opens a server-sent event stream with a single-use ticket (POST /stream/tickets: EventSource
 * cannot send the token) and, on a drop, again after 2 s with a new ticket. Returns the stop.
 */
import { api } from './api.ts';

export function openTicketStream(path: string, listeners: Record<string, (data: unknown) => void>, onDrop: () => void): () => void {
  let source: EventSource | null = null;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const open = async (): Promise<void> => {
    try {
      const { ticket } = await api<{ ticket: string }>('POST', '/stream/tickets');
      if (stopped) return;
      source = new EventSource(`/api/v1${path}?ticket=${encodeURIComponent(ticket)}`);
    } catch {
      retry = setTimeout(() => void open(), 2000);
      return;
    }
    for (const [event, listener] of Object.entries(listeners)) {
      source.addEventListener(event, (e) => listener(JSON.parse((e as MessageEvent<string>).data)));
    }
    source.onerror = () => {
      source?.close();
      onDrop();
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

/**
 * What the live status streams send: a snapshot of every item (integration or forwarder) this
 * instance runs, then only what changed (checked every second on the server, so clients do not poll).
 */
import type { IntegrationManager } from '../app/integration-manager.ts';
import type { IntegrationStatus } from '../core/model.ts';

export interface IntegrationLiveStatus {
  id: string;
  name: string;
  type: string;
  enabled: boolean;
  status: IntegrationStatus;
}

export type StreamEvent<T = IntegrationLiveStatus> =
  | { event: 'snapshot'; data: T[] }
  | { event: 'status'; data: T }
  | { event: 'removed'; data: Record<string, string> };

export function liveStatuses(manager: IntegrationManager): IntegrationLiveStatus[] {
  return manager.all().map((r) => ({ id: r.id, name: r.config.name, type: r.config.type, enabled: r.config.enabled, status: r.status() }));
}

/**
 * Remembers what a client was sent and answers with the events that bring it up to date. Items
 * are told apart by `key` (an integration's `id`, a forwarder's `name`); `removed` names that key.
 */
export class StatusDiff<T extends object = IntegrationLiveStatus> {
  private sent = new Map<string, string>();
  private readonly key: string;

  constructor(key: keyof T & string = 'id' as keyof T & string) {
    this.key = key;
  }

  private keyOf(item: T): string {
    return String((item as Record<string, unknown>)[this.key]);
  }

  snapshot(items: T[]): StreamEvent<T> {
    this.sent = new Map(items.map((i) => [this.keyOf(i), JSON.stringify(i)]));
    return { event: 'snapshot', data: items };
  }

  changes(items: T[]): Array<StreamEvent<T>> {
    const out: Array<StreamEvent<T>> = [];
    const seen = new Set<string>();
    for (const item of items) {
      const key = this.keyOf(item);
      seen.add(key);
      const text = JSON.stringify(item);
      if (this.sent.get(key) === text) continue;
      this.sent.set(key, text);
      out.push({ event: 'status', data: item });
    }
    for (const key of [...this.sent.keys()]) {
      if (seen.has(key)) continue;
      this.sent.delete(key);
      out.push({ event: 'removed', data: { [this.key]: key } });
    }
    return out;
  }
}

/** One server-sent event as text. */
export function sseFrame<T>(e: StreamEvent<T>): string {
  return `event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`;
}

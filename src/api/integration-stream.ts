/**
 * What the integrations stream sends: a snapshot of every integration this instance runs, then
 * only what changed (checked every second on the server, so clients do not poll).
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

export type StreamEvent =
  | { event: 'snapshot'; data: IntegrationLiveStatus[] }
  | { event: 'status'; data: IntegrationLiveStatus }
  | { event: 'removed'; data: { id: string } };

export function liveStatuses(manager: IntegrationManager): IntegrationLiveStatus[] {
  return manager.all().map((r) => ({ id: r.id, name: r.config.name, type: r.config.type, enabled: r.config.enabled, status: r.status() }));
}

/** Remembers what a client was sent and answers with the events that bring it up to date. */
export class StatusDiff {
  private sent = new Map<string, string>();

  snapshot(items: IntegrationLiveStatus[]): StreamEvent {
    this.sent = new Map(items.map((i) => [i.id, JSON.stringify(i)]));
    return { event: 'snapshot', data: items };
  }

  changes(items: IntegrationLiveStatus[]): StreamEvent[] {
    const out: StreamEvent[] = [];
    const seen = new Set<string>();
    for (const item of items) {
      seen.add(item.id);
      const text = JSON.stringify(item);
      if (this.sent.get(item.id) === text) continue;
      this.sent.set(item.id, text);
      out.push({ event: 'status', data: item });
    }
    for (const id of [...this.sent.keys()]) {
      if (seen.has(id)) continue;
      this.sent.delete(id);
      out.push({ event: 'removed', data: { id } });
    }
    return out;
  }
}

/** One server-sent event as text. */
export function sseFrame(e: StreamEvent): string {
  return `event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`;
}

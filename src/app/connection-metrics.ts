/**
 * Gauges and the per-connection counter of the sources that hold several connections to one
 * endpoint (an MQTT integration with `connections`), read from the rows they report in
 * `details.connections` at scrape time.
 */
import type { Registry } from 'prom-client';
import type { IntegrationStatus } from '../core/model.ts';
import type { SourceConnectionStatus } from '../core/source-connections.ts';
import { registerScrapedCounter, registerScrapedGauge } from './scraped-metrics.ts';

type Row = { labels: { integration: string; type: string }; status: IntegrationStatus };

function connectionRows(status: IntegrationStatus): SourceConnectionStatus[] {
  const rows = status.details?.connections;
  return Array.isArray(rows) ? rows.filter((r): r is SourceConnectionStatus => typeof (r as Partial<SourceConnectionStatus> | null)?.connection === 'number') : [];
}

export function registerConnectionMetrics(registry: Registry, rows: () => Row[]): void {
  const perIntegration = (name: string, help: string, pick: (connections: SourceConnectionStatus[]) => number): void => {
    registerScrapedGauge(registry, { name, help, labelNames: ['integration', 'type'] }, function* () {
      for (const row of rows()) {
        const connections = connectionRows(row.status);
        if (connections.length > 0) yield [row.labels, pick(connections)] as const;
      }
    });
  };
  perIntegration('cloudbridge_source_connections', 'Connections the integration holds to its source (MQTT connections setting).', (c) => c.length);
  perIntegration('cloudbridge_source_connections_up', 'Connections of the integration that are up now.', (c) => c.filter((r) => r.connected).length);
  registerScrapedCounter(registry, {
    name: 'cloudbridge_source_connection_received_total',
    help: 'Messages taken in on each connection of the integration since it started (how the broker spreads them).',
    labelNames: ['integration', 'type', 'connection', 'client_id'],
  }, function* () {
    for (const row of rows()) {
      for (const c of connectionRows(row.status)) yield [{ ...row.labels, connection: String(c.connection), client_id: c.clientId }, c.received] as const;
    }
  });
}

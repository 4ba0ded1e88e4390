/** Prometheus gauges and counters (`*_total`) of the forwarders, read from their status at scrape time. */
import type { Registry } from 'prom-client';
import type { ForwarderStatus } from '../core/forwarder.ts';
import type { ForwarderManager } from './forwarder-manager.ts';
import { registerScrapedCounter, registerScrapedGauge, type MetricSample } from './scraped-metrics.ts';

export function registerForwarderMetrics(registry: Registry, forwarders: ForwarderManager): void {
  const labelNames = ['forwarder', 'type'] as const;
  const samples = (pick: (s: ForwarderStatus) => number | null) => function* (): Generator<MetricSample<typeof labelNames[number]>> {
    for (const f of forwarders.list()) {
      const v = pick(f.status);
      if (v !== null) yield [{ forwarder: f.name, type: f.type }, v];
    }
  };
  const gauge = (name: string, help: string, pick: (s: ForwarderStatus) => number | null): void => {
    registerScrapedGauge(registry, { name, help, labelNames }, samples(pick));
  };
  const counter = (name: string, help: string, pick: (s: ForwarderStatus) => number): void => {
    registerScrapedCounter(registry, { name, help, labelNames }, samples(pick));
  };
  gauge('cloudbridge_forwarder_connected', '1 when this instance holds the forwarder\'s connection and it is connected.', (s) => (s.state === 'connected' ? 1 : 0));
  gauge('cloudbridge_forwarder_outbox_depth', 'Outbox rows waiting to be sent (read by the instance that holds the connection).', (s) => (s.state === 'standby' ? null : s.outbox.depth));
  gauge('cloudbridge_forwarder_outbox_lag_seconds', 'Age of the oldest row waiting in the outbox.', (s) => (s.outbox.lagMs === null ? null : s.outbox.lagMs / 1000));
  counter('cloudbridge_forwarder_delivered_total', 'Telemetry points the peer acknowledged (since this instance took the connection).', (s) => s.counters.deliveredPoints);
  counter('cloudbridge_forwarder_rejected_total', 'Outbox rows the peer refused, moved to the dead letters.', (s) => s.counters.rejected);
}

/** Prometheus gauges of the forwarders, read from their status at scrape time. */
import { Gauge, type Registry } from 'prom-client';
import type { ForwarderStatus } from '../core/forwarder.ts';
import type { ForwarderManager } from './forwarder-manager.ts';

export function registerForwarderMetrics(registry: Registry, forwarders: ForwarderManager): void {
  const gauge = (name: string, help: string, pick: (s: ForwarderStatus) => number | null): void => {
    new Gauge({
      name, help, labelNames: ['forwarder', 'type'], registers: [registry],
      collect() {
        this.reset();
        for (const f of forwarders.list()) {
          const v = pick(f.status);
          if (v !== null) this.set({ forwarder: f.name, type: f.type }, v);
        }
      },
    });
  };
  gauge('cloudbridge_forwarder_connected', '1 when this instance holds the forwarder\'s connection and it is connected.', (s) => (s.state === 'connected' ? 1 : 0));
  gauge('cloudbridge_forwarder_outbox_depth', 'Outbox rows waiting to be sent (read by the instance that holds the connection).', (s) => (s.state === 'standby' ? null : s.outbox.depth));
  gauge('cloudbridge_forwarder_outbox_lag_seconds', 'Age of the oldest row waiting in the outbox.', (s) => (s.outbox.lagMs === null ? null : s.outbox.lagMs / 1000));
  gauge('cloudbridge_forwarder_delivered_total', 'Telemetry points the peer acknowledged (since this instance took the connection).', (s) => s.counters.deliveredPoints);
  gauge('cloudbridge_forwarder_rejected_total', 'Outbox rows the peer refused, moved to the dead letters.', (s) => s.counters.rejected);
}

/**
 * Seconds until each known credential of each integration, of each forwarder running on this
 * instance and of the certificate the API serves (`server="api"`) expires (./credential-watch.ts),
 * at scrape time.
 */
import { Gauge, type Registry } from 'prom-client';
import type { CredentialWatch } from './credential-watch.ts';
import type { ForwarderManager } from './forwarder-manager.ts';
import type { IntegrationManager } from './integration-manager.ts';

export function registerCredentialMetrics(
  registry: Registry, owners: { manager: IntegrationManager; forwarders: Pick<ForwarderManager, 'runningHere'> }, watch: CredentialWatch, now: () => number,
): void {
  new Gauge({
    name: 'cloudbridge_credential_expiry_seconds',
    help: 'Seconds until a credential expires (negative: expired), per config field (credential), of an integration (label integration), a forwarder (label forwarder) or the API\'s own HTTPS certificate (server="api", credential server.tls.cert): certificates, shared access signatures, credentials a connector reports with an expiry.',
    labelNames: ['integration', 'forwarder', 'server', 'credential'], registers: [registry],
    collect() {
      this.reset();
      const t = now();
      for (const r of owners.manager.all()) {
        for (const e of watch.expiries(r.config, r.status().details)) this.set({ integration: r.config.name, credential: e.credential }, (e.expiresAt - t) / 1000);
      }
      for (const f of owners.forwarders.runningHere()) {
        for (const e of watch.forwarderExpiries(f)) this.set({ forwarder: f.name, credential: e.credential }, (e.expiresAt - t) / 1000);
      }
      for (const e of watch.serverExpiries()) this.set({ server: 'api', credential: e.credential }, (e.expiresAt - t) / 1000);
    },
  });
}

/** Seconds until each known credential of each integration expires (./credential-watch.ts), at scrape time. */
import { Gauge, type Registry } from 'prom-client';
import type { CredentialWatch } from './credential-watch.ts';
import type { IntegrationManager } from './integration-manager.ts';

export function registerCredentialMetrics(registry: Registry, manager: IntegrationManager, watch: CredentialWatch, now: () => number): void {
  new Gauge({
    name: 'cloudbridge_credential_expiry_seconds',
    help: 'Seconds until a credential of the integration expires (negative: expired), per config field (credential): certificates, shared access signatures, credentials a connector reports with an expiry.',
    labelNames: ['integration', 'credential'], registers: [registry],
    collect() {
      this.reset();
      const t = now();
      for (const r of manager.all()) {
        for (const e of watch.expiries(r.config, r.status().details)) this.set({ integration: r.config.name, credential: e.credential }, (e.expiresAt - t) / 1000);
      }
    },
  });
}

/** What the API routes need from the application. */
import type { Registry } from 'prom-client';
import type { AuditLog } from '../app/audit-log.ts';
import type { TokenAuth } from '../app/auth.ts';
import type { ConfigService } from '../app/config-service.ts';
import type { DeadLetterService } from '../app/dead-letter-service.ts';
import type { DownlinkService } from '../app/downlink-service.ts';
import type { ForwarderManager } from '../app/forwarder-manager.ts';
import type { ForwarderPlugin } from '../forwarders/registry.ts';
import type { IntegrationManager } from '../app/integration-manager.ts';
import type { ReadinessReport } from '../app/readiness.ts';
import type { RecentEvents } from '../app/recent-events.ts';
import type { Clock } from '../core/clock.ts';
import type { ConnectorDefinition } from '../core/connector.ts';
import type { Logger } from '../core/logger.ts';
import type { Store } from '../store/types.ts';

export interface ApiDeps {
  auth: TokenAuth;
  store: Store;
  manager: IntegrationManager;
  configService: ConfigService;
  /** The audit log, for the changes routes make without a service (tokens). */
  audit: AuditLog;
  downlinks: DownlinkService;
  deadLetters: DeadLetterService;
  metrics: Registry;
  log: Logger;
  clock: Clock;
  connectors: readonly ConnectorDefinition[];
  /** `ingest.maxFutureTsMs` of the config file, for converter test runs (default 1 day). */
  maxFutureTsMs?: number;
  /** The last lifecycle, warning and error events, served while the store is unavailable. */
  recentEvents: RecentEvents;
  /** What /ready answers. */
  readiness: () => Promise<ReadinessReport>;
  /** The forwarders (absent in tests that build the server without them). */
  forwarders?: ForwarderManager;
  forwarderTypes?: readonly ForwarderPlugin[];
  /** server.tls, checked (src/app/server-tls.ts): serve HTTPS with this PEM certificate and key. */
  tls?: { cert: string; key: string };
  /** Secret values the API learned (e.g. in a new integration), for the log scrubber. */
  onSecrets: (values: string[]) => void;
}

/**
 * The composition root: opens the store, loads secrets and tokens, applies the config file,
 * starts the integrations and the HTTP server; `close()` shuts down in reverse order.
 */
import { dirname } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../api/server.ts';
import { connectorDefinitions, findConnector } from '../connectors/registry.ts';
import { findForwarder, forwarderDefinitions } from '../forwarders/registry.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import { exposureWarnings } from '../core/private-files.ts';
import type { PipelineLimits } from '../core/pipeline.ts';
import type { WarningCode } from '../core/warnings.ts';
import { createDownlinkRunner, createUplinkRunner, sandboxPool } from '../converters/index.ts';
import { openStore } from '../store/index.ts';
import type { Store } from '../store/types.ts';
import { ForwarderManager } from './forwarder-manager.ts';
import { registerForwarderMetrics } from './forwarder-metrics.ts';
import { AuditLog } from './audit-log.ts';
import { masterKeyFileOf, sqlitePathOf } from './store-section.ts';
import { TokenAuth } from './auth.ts';
import { applyConfigFile } from './config-apply.ts';
import type { ConfigFile } from './config-file.ts';
import { ConfigService } from './config-service.ts';
import { DeadLetterService } from './dead-letter-service.ts';
import { DownlinkService } from './downlink-service.ts';
import { IntegrationManager } from './integration-manager.ts';
import type { ConverterFactory, RuntimeDeps } from './integration-runtime.ts';
import { collectSecrets, SecretBox } from './secrets.ts';
import { createLogger, SecretScrubber } from './logger.ts';
import { createLatencyHistogram, createRegistry, registerIntegrationMetrics, registerSandboxMetrics, registerStoreMetrics } from './metrics.ts';
import { decryptConfig } from './integration-secrets.ts';
import { startHousekeeping } from './housekeeping.ts';
import { Retention } from './retention.ts';
import { CredentialWatch, DEFAULT_EXPIRY_WARNING_DAYS } from './credential-watch.ts';
import { registerCredentialMetrics } from './credential-metrics.ts';
import { registerRetentionMetrics } from './retention-metrics.ts';
import { withFaults } from './fault-injection.ts';
import { StoreHealth } from './store-health.ts';
import { RecentEvents } from './recent-events.ts';
import { DiskMonitor, parseDiskThreshold } from './disk-space.ts';
import { WalGuard } from './wal-guard.ts';
import { checkReadiness } from './readiness.ts';
import { isLoopbackHost, loadServerTls } from './server-tls.ts';
import { applyServerReload, planServerReload, secureContextTarget, type RunningServer } from './server-reload.ts';
import type { EventInput } from '../store/types.ts';
import { serialized } from '../core/serial-runs.ts';

export interface AppOptions {
  config: ConfigFile;
  env?: NodeJS.ProcessEnv;
  /** Log line sink (default stdout). */
  logWrite?: (line: string) => void;
  clock?: Clock;
  pipelineLimits?: Partial<PipelineLimits>;
  /** How long a MISCONFIGURED integration waits before it tries to start again (default 5 minutes; tests shorten it). */
  misconfiguredRetryMs?: number;
  /** Observes committed batches (benchmarks). */
  onCommitted?: RuntimeDeps['onCommitted'];
  /** Start the HTTP server (default true). */
  listen?: boolean;
  /** Write-probe the store after this long without a commit attempt (default 30 s; tests shorten it). */
  storeProbeAfterQuietMs?: number;
  /** How often the SQLite WAL and free disk space are checked (default 10 s; tests shorten it). */
  storeFilesCheckMs?: number;
  /** How often retention and the other pruning run (default 10 minutes; tests shorten it). */
  housekeepingMs?: number;
  /** How often credential expiries are checked for warnings (default 1 hour; tests shorten it). */
  credentialCheckMs?: number;
}

export interface App {
  url: string;
  /** Set when an admin token was generated at this start (print it once). */
  generatedAdminToken: string | null;
  store: Store;
  log: Logger;
  manager: IntegrationManager;
  /** Whether the store takes writes (fed by every commit and by a write probe when idle). */
  storeHealth: StoreHealth;
  configService: ConfigService;
  downlinks: DownlinkService;
  forwarders: ForwarderManager;
  server: FastifyInstance;
  /**
   * A reload: applies the converters, integrations and forwarders of a (re-read) config file
   * (changed ones restart; in declarative mode, those the file no longer has are deleted), its
   * retention, credentialExpiry.warnDays and a renewed server.tls certificate; logs a warning for
   * each server field only a restart applies. A bad certificate refuses the whole reload. Calls run
   * one at a time, in call order (a call waits for the one running).
   */
  applyConfig(config: ConfigFile): Promise<void>;
  close(): Promise<void>;
}

/** The password inside a connection URL, for the log scrubber. */
function passwordOf(url: string): string[] {
  try {
    const p = decodeURIComponent(new URL(url).password);
    return p ? [p] : [];
  } catch {
    return [];
  }
}

export async function startApp(opts: AppOptions): Promise<App> {
  const env = opts.env ?? process.env;
  const clock = opts.clock ?? systemClock;
  const scrubber = new SecretScrubber();
  const log = createLogger({
    level: opts.config.logging.level, scrubber,
    ...(opts.config.logging.format ? { format: opts.config.logging.format } : {}), ...(opts.logWrite ? { write: opts.logWrite } : {}),
  });
  // Checked before anything opens: a bad certificate or key stops the start naming the field.
  const tls = opts.config.server.tls ? loadServerTls(opts.config.server.tls) : undefined;
  if (tls) scrubber.add(tls.key);
  const pg = opts.config.store.postgres;
  const dbPath = sqlitePathOf(opts.config.store);
  const keyFile = masterKeyFileOf(opts.config.store);
  const secrets = SecretBox.fromEnvOrFile(env, keyFile);
  if (pg) scrubber.add(pg.url, ...passwordOf(pg.url));
  if (env.CLOUDBRIDGE_ADMIN_TOKEN) scrubber.add(env.CLOUDBRIDGE_ADMIN_TOKEN);
  if (env.CLOUDBRIDGE_MASTER_KEY) scrubber.add(env.CLOUDBRIDGE_MASTER_KEY);

  const diskThreshold = parseDiskThreshold(opts.config.store.sqlite?.diskFreeWarning);
  const store = await openStore(pg
    ? { postgres: { url: pg.url } }
    : { sqlite: {
      path: dbPath, thread: opts.config.store.sqlite?.commitThread === true,
      ...(opts.config.store.sqlite?.synchronous ? { synchronous: opts.config.store.sqlite.synchronous } : {}),
    } });
  // Files Cloudbridge creates are private (0700 / 0600); existing ones keep their mode, with a warning.
  const privateFiles = [...(pg ? [] : [dbPath, `${dbPath}-wal`, `${dbPath}-shm`]), ...(env.CLOUDBRIDGE_MASTER_KEY ? [] : [keyFile])];
  for (const warning of exposureWarnings({ files: privateFiles, dirs: privateFiles.length > 0 ? [dirname(dbPath)] : [] })) log.warn(warning);
  const maxFutureTsMs = opts.config.ingest?.maxFutureTsMs;
  const converters: ConverterFactory = {
    uplink: (cfg) => createUplinkRunner(cfg, maxFutureTsMs === undefined ? {} : { maxFutureTsMs }),
    downlink: createDownlinkRunner,
  };
  const audit = new AuditLog({ store, clock, log });
  const auth = new TokenAuth(store, audit);
  const generatedAdminToken = await auth.init(env, clock.now());
  if (generatedAdminToken) scrubber.add(generatedAdminToken);

  const metrics = createRegistry();
  const latency = createLatencyHistogram(metrics);
  const recentEvents = new RecentEvents();
  /** A service-level warning (no integration): logged by its source, kept in memory and stored when the store takes it. */
  const systemWarning = (code: WarningCode, message: string, details?: Record<string, unknown>): void => {
    const event: EventInput = { type: 'WARNING', integrationId: null, ts: clock.now(), body: { code, message, ...details } };
    recentEvents.add(event);
    store.addEvents([event]).catch(() => undefined);
  };
  let downlinks: DownlinkService | null = null;
  const forwarders: ForwarderManager = new ForwarderManager({
    store, secrets, find: findForwarder, log, clock, audit,
    downlinks: () => downlinks as DownlinkService,
    warn: (code, message, details) => {
      log.warn({ code, ...details }, message);
      systemWarning(code, message, details);
    },
    onSecrets: (config, def) => scrubber.add(...collectSecrets(def.configSpec, config)),
    onRunning: (forwarder) => credentialWatch.check([], [forwarder]),
  });
  // Called only once commits run, after `manager` exists.
  const storeHealth: StoreHealth = new StoreHealth({
    store, clock, log,
    integrationName: (id) => manager.get(id)?.config.name,
    ...(opts.storeProbeAfterQuietMs !== undefined ? { probeAfterQuietMs: opts.storeProbeAfterQuietMs } : {}),
    onRecovered: (at) => manager.storeRecovered(at),
  });
  const credentialWatch = new CredentialWatch({
    secrets, findConnector, findForwarder, clock, warnDays: opts.config.credentialExpiry?.warnDays ?? DEFAULT_EXPIRY_WARNING_DAYS,
    warn: (owner, message, details) => {
      log.warn({ [owner.kind]: owner.name, code: 'CREDENTIAL_EXPIRY', ...details }, message);
      if (owner.kind !== 'integration') {
        systemWarning('CREDENTIAL_EXPIRY', message, { [owner.kind]: owner.name, ...details });
        return;
      }
      const event: EventInput = { type: 'WARNING', integrationId: owner.id, ts: clock.now(), body: { code: 'CREDENTIAL_EXPIRY', message, ...details } };
      recentEvents.add(event);
      store.addEvents([event]).catch(() => undefined);
    },
  });
  const manager: IntegrationManager = new IntegrationManager({
    store, secrets, converters, findConnector, log, clock, recentEvents, credentials: (cfg, details) => credentialWatch.status(cfg, details),
    ...(opts.pipelineLimits ? { pipelineLimits: opts.pipelineLimits } : {}),
    ...(opts.misconfiguredRetryMs !== undefined ? { misconfiguredRetryMs: opts.misconfiguredRetryMs } : {}),
    onStarted: (runtime) => {
      downlinks?.kick(runtime.id);
      credentialWatch.check([{ config: runtime.config, details: runtime.status().details }]);
    },
    forwardersFor: (integration) => forwarders.forwardersFor(integration),
    wrapCommit: (commit) => storeHealth.observe(withFaults(commit, env)),
    onCommitted: (integration, messages, at) => {
      const h = latency.labels(integration.name);
      for (const m of messages) h.observe((at - m.receivedAt) / 1000);
      forwarders.nudge();
      opts.onCommitted?.(integration, messages, at);
    },
  });
  downlinks = new DownlinkService({ store, manager, log, clock, onSettled: (d, outcome) => forwarders.downlinkSettled(d, outcome) });
  const configService = new ConfigService({
    store, secrets, converters, manager, connectors: connectorDefinitions, clock, audit,
    expiryWarnings: (name, def, config) => credentialWatch.warningsFor(name, def, config),
  });
  const deadLetters = new DeadLetterService({ store, converters, audit });

  // Register the secrets of stored integrations with the log scrubber before anything runs.
  for (const cfg of await store.listIntegrations()) {
    const def = findConnector(cfg.type);
    if (def) scrubber.add(...collectSecrets(def.configSpec, decryptConfig(def.configSpec, cfg.config, secrets)));
  }

  const retention = new Retention({ store, clock });
  /** The converters, integrations, forwarders and retention of a config file (start and reload). */
  const applyObjects = async (config: ConfigFile): Promise<void> => {
    for (const integ of config.integrations) {
      const def = findConnector(String(integ.type ?? ''));
      if (def) scrubber.add(...collectSecrets(def.configSpec, integ.config));
    }
    await applyConfigFile(config, { store, secrets, configService, forwarders, log, connectors: connectorDefinitions, findForwarder });
    retention.configure(config.retention);
  };

  try {
    await forwarders.start();
    await applyObjects(opts.config);
    await manager.startAll();
  } catch (err) {
    await manager.stopAll();
    await forwarders.stopAll();
    await store.close();
    throw err;
  }

  const files = store.files;
  const disk = files ? new DiskMonitor({ directory: files.directory, threshold: diskThreshold, clock, log, onWarning: (message) => systemWarning('STORE_DISK_LOW', message) }) : undefined;
  const walGuard = files ? new WalGuard({ files, clock, log, onWarning: (message) => systemWarning('STORE_WAL_BLOCKED', message) }) : undefined;
  registerIntegrationMetrics(metrics, manager, () => clock.now());
  registerCredentialMetrics(metrics, { manager, forwarders }, credentialWatch, () => clock.now());
  registerStoreMetrics(metrics, { health: storeHealth, ...(disk ? { disk } : {}), ...(files ? { files } : {}) });
  registerRetentionMetrics(metrics, { store, retention });
  registerSandboxMetrics(metrics, sandboxPool());
  registerForwarderMetrics(metrics, forwarders);
  /** Warnings about how the service was started (e.g. plain HTTP on the network), listed by /ready. */
  const startWarnings: string[] = [];
  const server = await buildServer({
    auth, audit, store, manager, configService, downlinks, deadLetters, metrics, log, clock, recentEvents, forwarders, forwarderTypes: forwarderDefinitions,
    readiness: async () => {
      const report = await checkReadiness({ store, health: storeHealth, manager, ...(disk ? { disk } : {}), ...(walGuard ? { walGuard } : {}) });
      return { ...report, warnings: [...startWarnings, ...report.warnings] };
    },
    connectors: connectorDefinitions, ...(maxFutureTsMs === undefined ? {} : { maxFutureTsMs }),
    onSecrets: (values) => scrubber.add(...values),
    ...(tls ? { tls: { cert: tls.cert, key: tls.key } } : {}),
  });
  let url = '';
  if (opts.listen !== false) {
    url = await server.listen({ port: opts.config.server.port, host: opts.config.server.host });
    url = url.replace('://0.0.0.0', '://127.0.0.1').replace('://[::]', '://127.0.0.1');
    if (!tls && !isLoopbackHost(opts.config.server.host)) {
      const message = `the API listens on ${opts.config.server.host} without TLS: tokens and data cross the network in clear text; set server.tls, or server.host: 127.0.0.1 behind a TLS-terminating proxy`;
      log.warn({ code: 'API_NOT_ENCRYPTED', host: opts.config.server.host }, message);
      systemWarning('API_NOT_ENCRYPTED', message, { host: opts.config.server.host });
      startWarnings.push(`API_NOT_ENCRYPTED: ${message}`);
    }
  }
  const housekeeping = startHousekeeping({
    store, log, clock, retention, ...(walGuard ? { walGuard } : {}), ...(disk ? { disk } : {}),
    ...(opts.housekeepingMs !== undefined ? { intervalMs: opts.housekeepingMs } : {}),
    ...(opts.storeFilesCheckMs !== undefined ? { filesIntervalMs: opts.storeFilesCheckMs } : {}),
  });
  storeHealth.start();
  void disk?.check();
  credentialWatch.setServerCertificate(tls?.cert);
  const checkCredentials = (): void => {
    credentialWatch.check(manager.all().map((r) => ({ config: r.config, details: r.status().details })), forwarders.runningHere());
    credentialWatch.checkServer();
  };
  checkCredentials();
  const credentialTimer = setInterval(checkCredentials, opts.credentialCheckMs ?? 3_600_000);
  credentialTimer.unref();
  log.info({ url, store: pg ? 'postgres' : dbPath, integrations: manager.all().length, ...(tls ? { certificateValidTo: new Date(tls.validTo).toISOString() } : {}) }, 'cloudbridge started');

  let runningServer: RunningServer = { port: opts.config.server.port, host: opts.config.server.host, tls };
  // One reload at a time, whoever asks (SIGHUP, tests, a future API): two plans computed from the
  // same store state would restart integrations twice or leave a mix of both files.
  const applyConfig = serialized(async (config: ConfigFile): Promise<void> => {
    // Checked before anything changes: a bad certificate refuses the reload and the current one keeps serving.
    const serverPlan = planServerReload(runningServer, config.server);
    if (serverPlan.renewed) scrubber.add(serverPlan.renewed.key);
    await applyObjects(config);
    const served = runningServer.tls;
    runningServer = applyServerReload(runningServer, serverPlan, secureContextTarget(server.server), log);
    // The renewed certificate replaces the watched one: no more warning about the old one.
    const renewed = runningServer.tls !== served;
    if (renewed) credentialWatch.setServerCertificate(runningServer.tls?.cert);
    const warnDays = config.credentialExpiry?.warnDays ?? DEFAULT_EXPIRY_WARNING_DAYS;
    if (warnDays !== credentialWatch.warnDays) {
      log.info({ warnDays, previous: credentialWatch.warnDays }, 'credentialExpiry.warnDays changed: credentials are checked against it now');
      credentialWatch.setWarnDays(warnDays);
      checkCredentials();
    } else if (renewed) {
      credentialWatch.checkServer();
    }
  });

  let closed = false;
  return {
    url, generatedAdminToken, store, log, manager, storeHealth, configService, downlinks, forwarders, server, applyConfig,
    async close() {
      if (closed) return;
      closed = true;
      housekeeping.stop();
      clearInterval(credentialTimer);
      storeHealth.stop();
      await server.close();
      downlinks?.close();
      await manager.stopAll();
      await forwarders.stopAll();
      await store.close();
      log.info('cloudbridge stopped');
    },
  };
}

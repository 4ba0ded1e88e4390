/**
 * One running integration: its converters, its ingest pipeline and its connector. Owns the
 * lifecycle (STARTED, UPDATED, STOPPED, FAILED events), the status shown by the API, and the
 * retries of a failed start: FAILED (a reason that may pass by itself) with backoff, MISCONFIGURED
 * (a non-retryable error: credentials, permissions, missing queue, invalid config, TLS) every
 * `misconfiguredRetryMs` (default 5 min: something may be fixed outside Cloudbridge, e.g. a
 * certificate activated), and at once after a config change (`update`) or a `restart`.
 *
 * `lastError` stays after its cause went away, marked `resolvedAt`: a store error (a failed
 * commit) when a commit succeeds again or the store is writable again, any other error when the
 * connection is (re-)established. While a store error is unresolved a running integration shows
 * PAUSED, never RUNNING.
 */
import { Backoff } from '../core/backoff.ts';
import { debugRateLimiter } from '../core/batch-commit.ts';
import type { Clock, TimerHandle } from '../core/clock.ts';
import type { Connector, ConnectorContext, ConnectorDefinition } from '../core/connector.ts';
import { CloudbridgeError, fixFor, toCloudbridgeError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type {
  ConverterConfig, IntegrationConfig, IntegrationState, IntegrationStatus, LifecycleEvent, UplinkMessage,
} from '../core/model.ts';
import { IngestPipeline, type PipelineLimits } from '../core/pipeline.ts';
import type { CommitPort, ConvertPort } from '../core/ports.ts';
import type { DownlinkConverterRunner, DownlinkInput, UplinkConverterRunner } from '../converters/types.ts';
import { bindLeaseStore } from '../store/leases.ts';
import type { EventInput, Store } from '../store/types.ts';
import { encodeAndSend, recordDownlinkOutcome, runConnectorAction } from './connector-extras.ts';
import { ConversionJournal } from './conversion-journal.ts';
import { decryptConfig } from './integration-secrets.ts';
import type { RecentEvents } from './recent-events.ts';
import type { SecretBox } from './secrets.ts';

export interface ConverterFactory {
  uplink(cfg: ConverterConfig): Promise<UplinkConverterRunner>;
  downlink(cfg: ConverterConfig): Promise<DownlinkConverterRunner>;
}

export interface RuntimeDeps {
  store: Store;
  definition: ConnectorDefinition;
  secrets: SecretBox;
  converters: ConverterFactory;
  log: Logger;
  clock: Clock;
  pipelineLimits?: Partial<PipelineLimits>;
  /** Delay before retrying a FAILED start; grows with each failure. */
  restartBackoff?: { initialMs: number; maxMs: number };
  /** Delay before retrying a MISCONFIGURED start (default 5 minutes). */
  misconfiguredRetryMs?: number;
  drainMs?: number;
  /** Wraps the store commit (fault injection in crash tests). */
  wrapCommit?: (commit: CommitPort) => CommitPort;
  /** Observes committed batches (receive → commit latency metric, benchmarks). */
  onCommitted?: (integration: IntegrationConfig, messages: UplinkMessage[], committedAt: number) => void;
  /** Keeps the lifecycle, warning and error events in memory too (served while the store is down). */
  recentEvents?: RecentEvents;
  /** Forwarders whose outbox rows each commit writes (UplinkCommit.forward, ADR 017); asked every batch. Default none. */
  forwardersFor?: (integration: IntegrationConfig) => string[];
  /** The credentials' expiries for the status (./credential-watch.ts). */
  credentials?: (integration: IntegrationConfig, details?: Record<string, unknown>) => Pick<IntegrationStatus, 'credentials'>;
}

export class IntegrationRuntime {
  config: IntegrationConfig;
  private readonly deps: RuntimeDeps;
  private readonly log: Logger;
  private state: IntegrationState = 'STOPPED';
  private since: number;
  private lastError: IntegrationStatus['lastError'] = null;
  /** Since when commits of this integration fail (null: they do not). */
  private storeFailingSince: number | null = null;
  private connector: Connector | null = null;
  private pipeline: IngestPipeline | null = null;
  private uplink: UplinkConverterRunner | null = null;
  private downlink: DownlinkConverterRunner | null = null;
  private abort: AbortController | null = null;
  private retryTimer: TimerHandle | null = null;
  private nextStartAt: number | null = null;
  private readonly restartBackoff: Backoff;
  private errors = 0;
  private totals = { received: 0, stored: 0, deadLettered: 0, duplicates: 0, overwritten: 0, errors: 0 };
  private generation = 0;

  constructor(config: IntegrationConfig, deps: RuntimeDeps) {
    this.config = config;
    this.deps = deps;
    this.log = deps.log.child({ integration: config.name, type: config.type });
    this.since = deps.clock.now();
    this.restartBackoff = new Backoff({ initialMs: deps.restartBackoff?.initialMs ?? 5000, maxMs: deps.restartBackoff?.maxMs ?? 300_000 });
  }

  get id(): string { return this.config.id; }

  get running(): boolean { return this.connector !== null && (this.state === 'RUNNING' || this.state === 'RECONNECTING'); }

  /** Starts; never throws: a failure leaves the integration FAILED or MISCONFIGURED with a retry scheduled. */
  async start(event: LifecycleEvent = 'STARTED'): Promise<void> {
    if (!this.config.enabled) return;
    const generation = ++this.generation;
    this.clearRetry();
    this.setState('STARTING');
    try {
      await this.startOnce(generation);
      if (generation !== this.generation) return;
      this.restartBackoff.reset();
      this.setState('RUNNING');
      this.resolveErrors('connection');
      this.lifecycle(event, true);
      this.log.info({ event }, 'integration started');
    } catch (err) {
      if (generation !== this.generation) return;
      const error = toCloudbridgeError(err, 'CONNECTION_FAILED');
      await this.teardown(0);
      this.fail(error, event);
    }
  }

  async stop(): Promise<void> {
    this.generation++;
    this.clearRetry();
    const wasActive = this.state !== 'STOPPED';
    await this.teardown(this.deps.drainMs ?? 5000);
    this.setState('STOPPED');
    if (wasActive) {
      this.lifecycle('STOPPED', true);
      this.log.info('integration stopped');
    }
  }

  /**
   * Stops and starts again at once (POST /integrations/{id}/restart): also ends the wait of a
   * FAILED or MISCONFIGURED integration. Refused for a disabled integration.
   */
  async restart(): Promise<void> {
    if (!this.config.enabled) {
      throw new CloudbridgeError('INTEGRATION_NOT_RUNNING', `integration "${this.config.name}" is disabled: enable it (POST /api/v1/integrations/${this.config.id}/enable) instead`);
    }
    this.generation++;
    this.clearRetry();
    await this.teardown(this.deps.drainMs ?? 5000);
    await this.start('STARTED');
  }

  /** Applies a new config: stop, then start with it (UPDATED). */
  async update(config: IntegrationConfig): Promise<void> {
    const wasActive = this.state !== 'STOPPED';
    this.generation++;
    this.clearRetry();
    await this.teardown(this.deps.drainMs ?? 5000);
    this.config = config;
    if (!config.enabled) {
      this.setState('STOPPED');
      if (wasActive) this.lifecycle('STOPPED', true);
      return;
    }
    await this.start('UPDATED');
  }

  status(): IntegrationStatus {
    const p = this.pipeline?.stats();
    const counters = {
      received: this.totals.received + (p?.received ?? 0), stored: this.totals.stored + (p?.stored ?? 0),
      deadLettered: this.totals.deadLettered + (p?.deadLettered ?? 0), duplicates: this.totals.duplicates + (p?.duplicates ?? 0),
      overwritten: this.totals.overwritten + (p?.overwritten ?? 0), errors: this.totals.errors + (p?.errors ?? 0) + this.errors,
    };
    const details = this.connector?.status();
    const active = this.state === 'RUNNING' || this.state === 'RECONNECTING';
    const storeFailing = active && this.storeFailingSince !== null;
    return {
      state: storeFailing || (p?.paused && this.state === 'RUNNING') ? 'PAUSED' : this.state,
      since: storeFailing && this.storeFailingSince !== null ? Math.max(this.since, this.storeFailingSince) : this.since,
      lastError: this.lastError ? { ...this.lastError } : null,
      ...(this.nextStartAt !== null && (this.state === 'FAILED' || this.state === 'MISCONFIGURED') ? { nextStartAt: this.nextStartAt } : {}),
      counters,
      lastMessageAt: p?.lastMessageAt ?? null,
      inFlight: { messages: p?.inFlightMessages ?? 0, bytes: p?.inFlightBytes ?? 0 },
      ...(details ? { details } : {}), ...this.deps.credentials?.(this.config, details),
    };
  }

  /** Encodes and sends one downlink request through the connector. */
  async sendDownlink(input: DownlinkInput, signal: AbortSignal): Promise<{ sent: number; raw: unknown }> {
    if (!this.deps.definition.capabilities.downlink) {
      throw new CloudbridgeError('DOWNLINK_UNSUPPORTED', `the ${this.config.type} connector cannot send downlinks`);
    }
    if (!this.downlink) throw new CloudbridgeError('DOWNLINK_UNSUPPORTED', `integration "${this.config.name}" has no downlink converter`);
    return encodeAndSend(this.runningConnector(), this.config.type, this.downlink, input, signal);
  }

  /** Runs one of the connector's actions (ADR 015). */
  async runAction(name: string, input: Record<string, unknown>, signal: AbortSignal): Promise<unknown> {
    return runConnectorAction(this.runningConnector(), this.config.type, name, input, signal);
  }

  private runningConnector(): Connector {
    if (this.connector === null || !this.running) throw new CloudbridgeError('INTEGRATION_NOT_RUNNING', `integration "${this.config.name}" is ${this.state.toLowerCase()}`);
    return this.connector;
  }

  integrationMetadata(): Record<string, string> {
    return { integrationName: this.config.name, ...this.config.metadata };
  }

  private async startOnce(generation: number): Promise<void> {
    const { store, definition, converters } = this.deps;
    const uplinkCfg = await store.getConverter(this.config.uplinkConverterId);
    if (!uplinkCfg) throw new CloudbridgeError('CONFIG_INVALID', `uplink converter ${this.config.uplinkConverterId} not found`, { field: 'uplinkConverter' });
    this.uplink = await converters.uplink(uplinkCfg);
    if (this.config.downlinkConverterId) {
      const downCfg = await store.getConverter(this.config.downlinkConverterId);
      if (!downCfg) throw new CloudbridgeError('CONFIG_INVALID', `downlink converter ${this.config.downlinkConverterId} not found`, { field: 'downlinkConverter' });
      this.downlink = await converters.downlink(downCfg);
    }
    const config = decryptConfig(definition.configSpec, this.config.config, this.deps.secrets);
    const journal = new ConversionJournal({ store, integrationId: this.config.id, clock: this.deps.clock, log: this.log });
    await journal.load();
    this.abort = new AbortController();
    this.pipeline = this.createPipeline(journal);
    this.connector = definition.create(config, this.createContext(generation));
    await this.connector.start();
  }

  private createPipeline(journal: ConversionJournal): IngestPipeline {
    const uplink = this.uplink;
    const baseMetadata = this.integrationMetadata();
    const convertBatch: ConvertPort = async (messages) => {
      if (!uplink) throw new CloudbridgeError('INTERNAL', 'uplink converter not loaded');
      return uplink.convert(messages.map((m) => ({
        payload: m.payload, metadata: { ...baseMetadata, ...m.metadata }, receivedAt: m.receivedAt,
        ...(m.sourceTimestamp === undefined ? {} : { sourceTimestamp: m.sourceTimestamp }),
      })));
    };
    const convert: ConvertPort = (messages) => journal.convert(messages, convertBatch);
    return new IngestPipeline({
      integrationId: this.config.id,
      convert,
      commit: this.deps.wrapCommit ? this.deps.wrapCommit((c) => this.deps.store.commitUplinks(c)) : (c) => this.deps.store.commitUplinks(c),
      allowCreateDevices: () => this.config.allowCreateDevices,
      forward: () => this.deps.forwardersFor?.(this.config) ?? [],
      debug: debugRateLimiter(() => this.config.debug),
      limits: this.deps.pipelineLimits,
      clock: this.deps.clock,
      log: this.log,
      onCommitted: (messages, at) => {
        this.resolveErrors('store', at);
        this.deps.onCommitted?.(this.config, messages, at);
      },
      onPause: (paused, error) => {
        if (paused && error) this.recordError(error);
        this.log[paused ? 'warn' : 'info']({ paused, code: error?.code }, paused ? `intake paused: ${error?.code ?? 'batch failed'}` : 'intake resumed');
      },
    });
  }

  private createContext(generation: number): ConnectorContext {
    const pipeline = this.pipeline;
    const abort = this.abort;
    if (!pipeline || !abort) throw new CloudbridgeError('INTERNAL', 'pipeline not ready');
    return {
      integrationId: this.config.id,
      integrationName: this.config.name,
      deliver: (batch, signal, options) => pipeline.deliver(batch, signal, options),
      reportState: (state, error) => {
        if (generation !== this.generation) return;
        if (state === 'connected') {
          if (this.state === 'RECONNECTING') this.setState('RUNNING');
          if (this.state === 'RUNNING') this.resolveErrors('connection');
        } else if (state === 'disconnected' && this.state === 'RUNNING') {
          this.setState('RECONNECTING');
          if (error) this.recordError(toCloudbridgeError(error, 'CONNECTION_FAILED'));
        }
      },
      warn: (code, message, details) => {
        this.log.warn({ code, ...details }, message);
        this.event({ type: 'WARNING', body: { code, message, ...details } });
      },
      leases: bindLeaseStore(this.deps.store, this.config.id),
      downlinkOutcome: (id, outcome, detail) => recordDownlinkOutcome({ store: this.deps.store, clock: this.deps.clock, log: this.log, integrationId: this.config.id }, id, outcome, detail),
      log: this.log,
      clock: this.deps.clock,
      signal: abort.signal,
    };
  }

  private async teardown(drainMs: number): Promise<void> {
    this.abort?.abort(new CloudbridgeError('SHUTTING_DOWN', 'integration stopping'));
    const connector = this.connector;
    const pipeline = this.pipeline;
    this.connector = null;
    if (connector) {
      try {
        await connector.stop({ drainMs });
      } catch (err) {
        this.log.warn({ err: toCloudbridgeError(err).message }, 'connector did not stop cleanly');
      }
    }
    if (pipeline) {
      await pipeline.drain(drainMs);
      pipeline.close();
      const s = pipeline.stats();
      this.totals.received += s.received;
      this.totals.stored += s.stored;
      this.totals.deadLettered += s.deadLettered;
      this.totals.duplicates += s.duplicates;
      this.totals.overwritten += s.overwritten;
      this.totals.errors += s.errors;
    }
    this.pipeline = null;
    this.uplink?.dispose();
    this.downlink?.dispose();
    this.uplink = null;
    this.downlink = null;
    this.abort = null;
  }

  /**
   * The start failed: FAILED, retried with backoff, when the error may pass by itself;
   * MISCONFIGURED, retried every `misconfiguredRetryMs`, when only a change can fix it.
   */
  private fail(error: CloudbridgeError, event: LifecycleEvent): void {
    const misconfigured = !error.retryable;
    this.recordError(error);
    this.setState(misconfigured ? 'MISCONFIGURED' : 'FAILED');
    if (event === 'UPDATED') this.lifecycle('UPDATED', false, error);
    this.lifecycle('FAILED', false, error);
    const delayMs = misconfigured ? (this.deps.misconfiguredRetryMs ?? 300_000) : this.restartBackoff.next();
    this.nextStartAt = this.deps.clock.now() + delayMs;
    if (misconfigured) {
      this.log.error({ code: error.code, err: error.message, fix: fixFor(error.code), retryInMs: delayMs }, 'integration misconfigured: it starts again after a config change, a restart, or the retry delay');
    } else {
      this.log.error({ code: error.code, err: error.message, retryInMs: delayMs }, 'integration failed to start');
    }
    const generation = this.generation;
    this.retryTimer = this.deps.clock.setTimeout(() => {
      this.retryTimer = null;
      if (generation === this.generation && (this.state === 'FAILED' || this.state === 'MISCONFIGURED')) void this.start('STARTED');
    }, delayMs);
    this.retryTimer.unref?.();
  }

  /**
   * The store is writable again (another integration's commit or the write probe succeeded):
   * this integration's store error is resolved too; its next commit tells otherwise.
   */
  storeRecovered(at: number): void {
    this.resolveErrors('store', at);
  }

  private recordError(error: CloudbridgeError): void {
    this.errors++;
    const now = this.deps.clock.now();
    const previous = this.lastError;
    const repeated = previous !== null && previous.resolvedAt === null && previous.code === error.code && previous.message === error.message;
    this.lastError = { code: error.code, message: error.message, fix: fixFor(error.code), at: now, resolvedAt: null };
    if (error.code === 'STORE_UNAVAILABLE') this.storeFailingSince ??= now;
    // One ERROR event when an error starts, not one per retry of the same failure.
    if (!repeated) this.event({ type: 'ERROR', body: { code: error.code, message: error.message } });
  }

  /** Marks the last error resolved when its kind of cause went away: a commit succeeded (`store`), the connection is up (`connection`). */
  private resolveErrors(kind: 'store' | 'connection', at = this.deps.clock.now()): void {
    if (kind === 'store') this.storeFailingSince = null;
    const e = this.lastError;
    if (e === null || e.resolvedAt !== null) return;
    if ((e.code === 'STORE_UNAVAILABLE') !== (kind === 'store')) return;
    this.lastError = { ...e, resolvedAt: at };
    this.log.info({ code: e.code }, 'last error resolved');
  }

  private clearRetry(): void {
    if (this.retryTimer) this.deps.clock.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.nextStartAt = null;
  }

  private setState(state: IntegrationState): void {
    if (state === this.state) return;
    this.state = state;
    this.since = this.deps.clock.now();
  }

  private lifecycle(event: LifecycleEvent, success: boolean, error?: CloudbridgeError): void {
    this.event({
      type: 'LIFECYCLE',
      body: { event, success, ...(error ? { errorCode: error.code, error: error.message } : {}) },
    });
  }

  private event(e: Omit<EventInput, 'ts' | 'integrationId'>): void {
    const full: EventInput = { ...e, integrationId: this.config.id, ts: this.deps.clock.now() };
    this.deps.recentEvents?.add(full);
    this.deps.store.addEvents([full]).catch((err: unknown) => {
      this.log.warn({ err: toCloudbridgeError(err).message }, 'could not record an integration event');
    });
  }
}

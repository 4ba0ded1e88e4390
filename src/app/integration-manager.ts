/**
 * Keeps one IntegrationRuntime per configured integration and applies config changes to them
 * (create → start, update → UPDATED restart, disable → stop, delete → stop and forget).
 */
import type { Clock } from '../core/clock.ts';
import type { ConnectorDefinition } from '../core/connector.ts';
import { CloudbridgeError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { IntegrationConfig, IntegrationStatus } from '../core/model.ts';
import type { PipelineLimits } from '../core/pipeline.ts';
import type { Store } from '../store/types.ts';
import { IntegrationRuntime, type ConverterFactory, type RuntimeDeps } from './integration-runtime.ts';
import type { RecentEvents } from './recent-events.ts';
import type { SecretBox } from './secrets.ts';

export interface ManagerDeps {
  store: Store;
  secrets: SecretBox;
  converters: ConverterFactory;
  findConnector: (type: string) => ConnectorDefinition | undefined;
  log: Logger;
  clock: Clock;
  pipelineLimits?: Partial<PipelineLimits>;
  restartBackoff?: { initialMs: number; maxMs: number };
  misconfiguredRetryMs?: number;
  onCommitted?: RuntimeDeps['onCommitted'];
  wrapCommit?: RuntimeDeps['wrapCommit'];
  /** The forwarders of an integration (RuntimeDeps.forwardersFor). */
  forwardersFor?: RuntimeDeps['forwardersFor'];
  /** Called after an integration (re)started, e.g. to flush queued downlinks. */
  onStarted?: (runtime: IntegrationRuntime) => void;
  /** Keeps the integrations' lifecycle, warning and error events in memory too. */
  recentEvents?: RecentEvents;
  /** The credentials' expiries for the status (RuntimeDeps.credentials). */
  credentials?: RuntimeDeps['credentials'];
}

export class IntegrationManager {
  private readonly runtimes = new Map<string, IntegrationRuntime>();
  private readonly deps: ManagerDeps;

  constructor(deps: ManagerDeps) {
    this.deps = deps;
  }

  /** Starts every stored integration that has no runtime yet. */
  async startAll(): Promise<void> {
    const configs = (await this.deps.store.listIntegrations()).filter((c) => !this.runtimes.has(c.id));
    await Promise.all(configs.map((c) => this.apply(c)));
  }

  /** Creates, updates or stops the runtime of `config` so that it matches it. */
  async apply(config: IntegrationConfig): Promise<void> {
    const existing = this.runtimes.get(config.id);
    if (existing) {
      await existing.update(config);
    } else {
      const definition = this.deps.findConnector(config.type);
      if (!definition) throw new CloudbridgeError('CONFIG_INVALID', `unknown integration type "${config.type}"`, { field: 'type' });
      const runtime = new IntegrationRuntime(config, {
        store: this.deps.store, definition, secrets: this.deps.secrets, converters: this.deps.converters,
        log: this.deps.log, clock: this.deps.clock,
        ...(this.deps.pipelineLimits ? { pipelineLimits: this.deps.pipelineLimits } : {}),
        ...(this.deps.restartBackoff ? { restartBackoff: this.deps.restartBackoff } : {}),
        ...(this.deps.misconfiguredRetryMs !== undefined ? { misconfiguredRetryMs: this.deps.misconfiguredRetryMs } : {}),
        ...(this.deps.onCommitted ? { onCommitted: this.deps.onCommitted } : {}),
        ...(this.deps.wrapCommit ? { wrapCommit: this.deps.wrapCommit } : {}),
        ...(this.deps.forwardersFor ? { forwardersFor: this.deps.forwardersFor } : {}),
        ...(this.deps.recentEvents ? { recentEvents: this.deps.recentEvents } : {}),
        ...(this.deps.credentials ? { credentials: this.deps.credentials } : {}),
      });
      this.runtimes.set(config.id, runtime);
      await runtime.start();
    }
    const runtime = this.runtimes.get(config.id);
    if (runtime?.running) this.deps.onStarted?.(runtime);
  }

  /** Restarts an integration at once (ends a FAILED or MISCONFIGURED wait); false when this instance does not run it. */
  async restart(id: string): Promise<boolean> {
    const runtime = this.runtimes.get(id);
    if (!runtime) return false;
    await runtime.restart();
    if (runtime.running) this.deps.onStarted?.(runtime);
    return true;
  }

  async remove(id: string): Promise<void> {
    const runtime = this.runtimes.get(id);
    this.runtimes.delete(id);
    await runtime?.stop();
    this.deps.recentEvents?.forget(id);
  }

  /** The store is writable again: every integration's store error is resolved. */
  storeRecovered(at: number): void {
    for (const r of this.runtimes.values()) r.storeRecovered(at);
  }

  /** The runtime of an integration by id or name (answers without the store). */
  find(idOrName: string): IntegrationRuntime | undefined {
    return this.runtimes.get(idOrName) ?? [...this.runtimes.values()].find((r) => r.config.name === idOrName);
  }

  /** Restarts every integration that uses the converter (after the converter changed). */
  async converterChanged(converterId: string): Promise<void> {
    const affected = [...this.runtimes.values()].filter((r) => r.config.uplinkConverterId === converterId || r.config.downlinkConverterId === converterId);
    await Promise.all(affected.map((r) => this.apply(r.config)));
  }

  get(id: string): IntegrationRuntime | undefined {
    return this.runtimes.get(id);
  }

  all(): IntegrationRuntime[] {
    return [...this.runtimes.values()];
  }

  status(id: string): IntegrationStatus | null {
    return this.runtimes.get(id)?.status() ?? null;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.runtimes.values()].map((r) => r.stop()));
  }
}

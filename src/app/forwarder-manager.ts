/**
 * Runs the configured forwarders (ADR 018): one ConnectionLease per enabled forwarder, the
 * forwarder itself only while this instance holds it; the API's and the config file's changes
 * are persisted (forwarder-config.ts), recorded in the audit log and applied live, and changes
 * made by other instances are picked up within a few seconds. Also answers `forwardersFor(integration)` for the commits, and
 * turns settled RPC downlinks into replies in the outbox (on whichever instance settled them).
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import { CloudbridgeError, toCloudbridgeError } from '../core/errors.ts';
import { configCheckFailure, type CheckResult } from '../core/connector.ts';
import { emptyCounters, type DownlinkSettlement, type Forwarder, type ForwarderStatus } from '../core/forwarder.ts';
import type { ForwarderPlugin } from '../forwarders/registry.ts';
import type { Logger } from '../core/logger.ts';
import type { WarningCode } from '../core/warnings.ts';
import { bindLeaseStore } from '../store/leases.ts';
import type { Downlink, OutboxValue, Store } from '../store/types.ts';
import type { Actor, AuditLog } from './audit-log.ts';
import { forwarderContext } from './forwarder-context.ts';
import { loadForwarders, redactedEntry, saveForwarders, validateForwarder, type ForwarderEntry } from './forwarder-config.ts';
import { ConnectionLease } from './forwarder-lease.ts';
import type { DownlinkService } from './downlink-service.ts';
import type { SecretBox } from './secrets.ts';

export interface ForwarderManagerDeps {
  store: Store;
  secrets: SecretBox;
  find: (type: string) => ForwarderPlugin | undefined;
  downlinks: () => DownlinkService;
  log: Logger;
  clock: Clock;
  warn(code: WarningCode, message: string, details?: Record<string, unknown>): void;
  /** Secret values of a config, for the log scrubber. */
  onSecrets?: (config: Record<string, unknown>, def: ForwarderPlugin) => void;
  /** A forwarder started running here (this instance took its lease): its credentials are checked at once. */
  onRunning?: (forwarder: RunningForwarder) => void;
  /** Every change made through `put` and `remove` is recorded here. */
  audit: AuditLog;
  /** How often other instances' changes are read (default 5 s). */
  refreshMs?: number;
  lease?: { ttlMs?: number; renewMs?: number };
}

/** A forwarder running on this instance, its config decrypted (never for the API). */
export interface RunningForwarder {
  name: string;
  type: string;
  config: Record<string, unknown>;
}

export interface ForwarderView extends ForwarderEntry {
  status: ForwarderStatus;
}

interface Running {
  entry: ForwarderEntry;
  def: ForwarderPlugin;
  lease: ConnectionLease | null;
  forwarder: Forwarder | null;
  starting: Promise<void> | null;
  /** The state reported while no forwarder runs here, and since when. */
  idle: { state: ForwarderStatus['state']; since: number };
}

export class ForwarderManager {
  private readonly deps: ForwarderManagerDeps;
  private readonly running = new Map<string, Running>();
  private readonly owner = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  private lastText: string | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(deps: ForwarderManagerDeps) {
    this.deps = deps;
  }

  /** Loads the stored forwarders and starts watching for changes made elsewhere. */
  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh().catch((err: unknown) => this.deps.log.warn({ err: toCloudbridgeError(err).message }, 'reading the forwarders failed')), this.deps.refreshMs ?? 5_000);
    this.timer.unref();
  }

  /** Names of the enabled forwarders that carry this integration's data. */
  forwardersFor(integration: { name: string }): string[] {
    const names: string[] = [];
    for (const r of this.running.values()) {
      const i = r.entry.integrations;
      if (r.entry.enabled && (i === 'all' || i.includes(integration.name))) names.push(r.entry.name);
    }
    return names;
  }

  /** Data was committed on this instance: forwarders held here send it without waiting for their poll. */
  nudge(): void {
    for (const r of this.running.values()) r.forwarder?.nudge();
  }

  /** The forwarders running on this instance (lease held), configs decrypted: for the credential expiry watch only. */
  runningHere(): RunningForwarder[] {
    return [...this.running.values()].filter((r) => r.forwarder !== null).map((r) => ({ name: r.entry.name, type: r.entry.type, config: r.entry.config }));
  }

  list(): ForwarderView[] {
    return [...this.running.values()].map((r) => this.view(r));
  }

  get(name: string): ForwarderView {
    const r = this.running.get(name);
    if (!r) throw new CloudbridgeError('NOT_FOUND', `forwarder "${name}" not found`);
    return this.view(r);
  }

  /** Creates or replaces a forwarder; persisted, applied here at once and by the other instances soon. */
  async put(raw: unknown, by: Actor, prefix = 'forwarder'): Promise<{ view: ForwarderView; warnings: string[] }> {
    const name = (raw as { name?: unknown } | null)?.name;
    const stored = typeof name === 'string' ? this.running.get(name)?.entry : undefined;
    const { entry, warnings, def } = await validateForwarder(raw, this.deps.find, prefix, stored);
    this.deps.onSecrets?.(entry.config, def);
    // Unchanged (a config file read again, a GET sent back): the running connection stays.
    if (stored && JSON.stringify(stored) === JSON.stringify(entry)) return { view: this.get(entry.name), warnings };
    await this.serial(async () => {
      const entries = [...this.running.values()].map((r) => r.entry).filter((e) => e.name !== entry.name).concat(entry);
      this.lastText = await saveForwarders(this.deps.store, this.deps.secrets, this.deps.find, entries);
      await this.deps.audit.record(by, {
        action: stored ? 'update' : 'create', entityKind: 'forwarder', entityId: entry.name, entityName: entry.name,
        before: stored ? redactedEntry(stored, this.deps.find(stored.type)) : null, after: redactedEntry(entry, def),
      });
      await this.apply(entry);
    });
    return { view: this.get(entry.name), warnings };
  }

  /** Checks the connection of a stored forwarder (by name) or of an unsaved body, sending nothing. */
  async check(nameOrBody: string | unknown): Promise<CheckResult> {
    const raw = typeof nameOrBody === 'string' ? this.running.get(nameOrBody)?.entry : nameOrBody;
    if (raw === undefined) throw new CloudbridgeError('NOT_FOUND', `forwarder "${String(nameOrBody)}" not found`);
    const name = (raw as { name?: unknown } | null)?.name;
    const stored = typeof name === 'string' ? this.running.get(name)?.entry : undefined;
    let validated;
    try {
      validated = await validateForwarder(raw, this.deps.find, 'forwarder', stored);
    } catch (err) {
      return configCheckFailure(err);
    }
    const { entry, def } = validated;
    this.deps.onSecrets?.(entry.config, def);
    if (!def.testConnection) return { ok: true, checks: [{ name: 'config', ok: true, message: 'valid (this type has no connection check)' }] };
    return def.testConnection(entry.config, entry.name);
  }

  async remove(name: string, by: Actor): Promise<void> {
    const removed = this.running.get(name);
    if (!removed) throw new CloudbridgeError('NOT_FOUND', `forwarder "${name}" not found`);
    await this.serial(async () => {
      const entries = [...this.running.values()].map((r) => r.entry).filter((e) => e.name !== name);
      this.lastText = await saveForwarders(this.deps.store, this.deps.secrets, this.deps.find, entries);
      await this.deps.audit.record(by, { action: 'delete', entityKind: 'forwarder', entityId: name, entityName: name, before: redactedEntry(removed.entry, removed.def), after: null });
      await this.stopOne(name);
      this.running.delete(name);
    });
  }

  /**
   * A downlink settled on this instance: when it is an RPC a forwarder's peer asked for, its
   * outcome goes into that forwarder's outbox as the RPC's reply (unless the device replies itself).
   */
  async downlinkSettled(d: Downlink, outcome: DownlinkSettlement): Promise<void> {
    const name = d.metadata.forwarder;
    const rpcId = Number(d.metadata.rpcId);
    if (!name || d.metadata.rpcId === undefined || !Number.isSafeInteger(rpcId)) return;
    const r = this.running.get(name);
    if (!r) return;
    const data = r.def.rpcReply?.(r.entry.config, outcome);
    if (data === null || data === undefined) return;
    await this.deps.store.appendOutbox([{
      forwarder: name, integrationId: d.integrationId, deviceName: d.deviceName, deviceType: d.metadata.deviceType ?? 'default',
      entry: { kind: 'rpc-reply', id: rpcId, data: data as OutboxValue },
    }]);
    r.forwarder?.nudge();
  }

  async stopAll(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.serial(async () => {
      await Promise.all([...this.running.keys()].map((n) => this.stopOne(n)));
    });
  }

  /** Re-reads the stored forwarders; applies what another instance (or this one) changed. */
  async refresh(): Promise<void> {
    await this.serial(async () => {
      const { text, entries } = await loadForwarders(this.deps.store, this.deps.secrets, this.deps.find);
      if (text === this.lastText) return;
      this.lastText = text;
      for (const name of [...this.running.keys()]) {
        if (!entries.some((e) => e.name === name)) {
          await this.stopOne(name);
          this.running.delete(name);
        }
      }
      for (const e of entries) {
        const current = this.running.get(e.name);
        if (!current || JSON.stringify(current.entry) !== JSON.stringify(e)) await this.apply(e);
      }
    });
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async apply(entry: ForwarderEntry): Promise<void> {
    const def = this.deps.find(entry.type);
    if (!def) {
      this.deps.log.warn({ forwarder: entry.name, type: entry.type }, 'unknown forwarder type; not started');
      return;
    }
    this.deps.onSecrets?.(entry.config, def);
    await this.stopOne(entry.name);
    const r: Running = { entry, def, lease: null, forwarder: null, starting: null, idle: { state: 'connecting', since: this.deps.clock.now() } };
    this.running.set(entry.name, r);
    if (!entry.enabled) return;
    const log = this.deps.log.child({ forwarder: entry.name });
    r.lease = new ConnectionLease({
      leases: bindLeaseStore(this.deps.store, `forwarder:${entry.name}`), owner: this.owner, clock: this.deps.clock, log,
      alone: this.deps.store.kind === 'sqlite',
      ...this.deps.lease,
      handlers: {
        acquired: async () => {
          log.info({ owner: this.owner }, 'forwarder lease taken: connecting');
          const ctx = forwarderContext({ entry, store: this.deps.store, downlinks: this.deps.downlinks, log, clock: this.deps.clock, warn: this.deps.warn });
          const forwarder = def.create(entry.config, ctx);
          r.forwarder = forwarder;
          r.starting = forwarder.start().catch((err: unknown) => log.warn({ err: toCloudbridgeError(err).message }, 'forwarder start failed'));
          this.deps.onRunning?.({ name: entry.name, type: entry.type, config: entry.config });
        },
        lost: async () => {
          const f = r.forwarder;
          r.forwarder = null;
          await r.starting;
          await f?.stop();
        },
      },
    });
    await r.lease.start();
  }

  private async stopOne(name: string): Promise<void> {
    const r = this.running.get(name);
    if (!r) return;
    await r.lease?.stop();
    r.lease = null;
  }

  private view(r: Running): ForwarderView {
    return { ...redactedEntry(r.entry, r.def), status: this.status(r) };
  }

  private status(r: Running): ForwarderStatus {
    if (r.forwarder) return r.forwarder.status();
    const state = !r.entry.enabled ? 'stopped' : r.lease?.holder && r.lease.holder !== this.owner ? 'standby' : 'connecting';
    if (state !== r.idle.state) r.idle = { state, since: this.deps.clock.now() };
    return {
      state, since: r.idle.since, lastError: null, outbox: { depth: 0, oldestAt: null, lagMs: null }, counters: emptyCounters(),
      details: { holder: r.lease?.holder ?? null },
    };
  }
}

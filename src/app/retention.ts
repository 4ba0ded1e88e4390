/**
 * Retention (docs/operations.md): deletes telemetry points, events, dead letters and downlink
 * history older than their retention, the global one of the config file or an integration's
 * own, in batches of at most `batchRows` rows, yielding to the event loop between batches so
 * commits run in between. Counts what it pruned and remembers the oldest row kept, for /metrics.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Clock } from '../core/clock.ts';
import type { IntegrationConfig } from '../core/model.ts';
import { RETENTION_DEFAULTS, RETENTION_KINDS, retentionMs, type RetentionKind, type RetentionSettings } from '../core/retention.ts';
import type { RetentionScope, Store } from '../store/types.ts';

export interface RetentionOptions {
  store: Store;
  clock: Clock;
  /** The config file's `retention`. */
  global?: RetentionSettings;
  /** Rows per DELETE at most. Default 5000. */
  batchRows?: number;
}

export interface RetentionPass {
  kind: RetentionKind;
  scope: RetentionScope;
  /** Epoch ms: rows older go. */
  olderThan: number;
}

const ZERO = (): Record<RetentionKind, number> => ({ telemetry: 0, events: 0, deadLetters: 0, downlinks: 0 });

/**
 * The passes one run makes for a kind: each integration with its own retention of the kind,
 * then every other row with the global one. A retention that keeps forever makes no pass.
 */
export function retentionPasses(kind: RetentionKind, now: number, global: RetentionSettings | undefined, integrations: readonly IntegrationConfig[]): RetentionPass[] {
  const passes: RetentionPass[] = [];
  const own = integrations.filter((i) => i.retention?.[kind] !== undefined);
  for (const i of own) {
    const ms = retentionMs(i.retention?.[kind] ?? 0);
    if (ms !== null) passes.push({ kind, scope: { integrationId: i.id }, olderThan: now - ms });
  }
  const ms = retentionMs(global?.[kind] ?? RETENTION_DEFAULTS[kind]);
  if (ms !== null) passes.push({ kind, scope: { except: own.map((i) => i.id) }, olderThan: now - ms });
  return passes;
}

export class Retention {
  readonly #o: RetentionOptions;
  #global: RetentionSettings | undefined;
  readonly #pruned = ZERO();
  #oldest: { at: number; values: Record<RetentionKind, number | null> } | null = null;

  constructor(opts: RetentionOptions) {
    this.#o = opts;
    this.#global = opts.global;
  }

  /** The config file's `retention`, again at every reload (undefined: the defaults). */
  configure(global: RetentionSettings | undefined): void {
    this.#global = global;
  }

  /** Rows pruned per kind since start. */
  get pruned(): Readonly<Record<RetentionKind, number>> {
    return this.#pruned;
  }

  /** Prunes every kind once; returns the rows deleted per kind. */
  async run(): Promise<Record<RetentionKind, number>> {
    const now = this.#o.clock.now();
    const integrations = await this.#o.store.listIntegrations();
    const limit = this.#o.batchRows ?? 5000;
    const deleted = ZERO();
    for (const kind of RETENTION_KINDS) {
      for (const pass of retentionPasses(kind, now, this.#global, integrations)) {
        let cursor: string | null = null;
        do {
          const r = await this.#o.store.pruneOlderThan(kind, pass.scope, pass.olderThan, limit, cursor);
          deleted[kind] += r.deleted;
          this.#pruned[kind] += r.deleted;
          cursor = r.cursor;
          // Commits waiting for the store (or the SQLite worker) go first.
          await nextTurn();
        } while (cursor !== null);
      }
    }
    this.#oldest = null;
    return deleted;
  }

  /** Epoch ms of the oldest row kept per kind (null: none), read at most once a minute. */
  async oldest(): Promise<Record<RetentionKind, number | null>> {
    const now = this.#o.clock.now();
    if (this.#oldest && now - this.#oldest.at < 60_000) return this.#oldest.values;
    const values = { telemetry: null, events: null, deadLetters: null, downlinks: null } as Record<RetentionKind, number | null>;
    for (const kind of RETENTION_KINDS) values[kind] = await this.#o.store.oldestRow(kind);
    this.#oldest = { at: now, values };
    return values;
  }
}

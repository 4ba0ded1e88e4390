/**
 * Opens the configured store and applies pending migrations. The caller decides the default
 * SQLite path (e.g. `data/cloudbridge.db`).
 */
import { CloudbridgeError } from '../core/errors.ts';
import { PostgresStore } from './postgres/postgres-store.ts';
import { SqliteStore } from './sqlite/sqlite-store.ts';
import { sqliteThreadStore } from './sqlite/thread/thread-store.ts';
import type { SqliteSynchronous } from './sqlite/database.ts';
import type { MigrationReport, Store } from './types.ts';

export interface SqliteStoreConfig {
  path: string;
  /** `FULL` (default) makes every commit durable before it returns; `NORMAL` may lose the last commits on power loss. */
  synchronous?: SqliteSynchronous;
  /**
   * `true`: the connection lives in a worker thread, commits and queries run beside the main
   * thread (ADR 012). Default false: on the calling thread.
   */
  thread?: boolean;
}

export interface PostgresStoreConfig {
  /** Connection string, e.g. `postgres://user:pass@host:5432/cloudbridge`. */
  url: string;
}

export interface StoreConfig {
  sqlite?: SqliteStoreConfig;
  postgres?: PostgresStoreConfig;
}

export async function openStore(cfg: StoreConfig): Promise<Store> {
  return openStoreWith(cfg);
}

async function openStoreWith(cfg: StoreConfig, onReport?: (report: MigrationReport) => void): Promise<Store> {
  if (cfg.sqlite !== undefined && cfg.postgres !== undefined) {
    throw new CloudbridgeError('CONFIG_INVALID', 'configure either store.sqlite or store.postgres, not both', { field: 'store' });
  }
  if (cfg.postgres !== undefined) return migrated(new PostgresStore({ url: cfg.postgres.url }), onReport);
  if (cfg.sqlite === undefined) {
    throw new CloudbridgeError('CONFIG_INVALID', 'no store configured: set store.sqlite.path', { field: 'store.sqlite' });
  }
  const options = { path: cfg.sqlite.path, synchronous: cfg.sqlite.synchronous ?? 'FULL' };
  return migrated(cfg.sqlite.thread === true ? sqliteThreadStore(options) : new SqliteStore(options), onReport);
}

/** Opens the configured store like `openStore` and says which migrations that applied (`cloudbridge migrate`). */
export async function openStoreReporting(cfg: StoreConfig): Promise<{ store: Store; migrations: MigrationReport }> {
  let report: MigrationReport | undefined;
  const store = await openStoreWith(cfg, (r) => { report = r; });
  return { store, migrations: report as MigrationReport };
}

async function migrated(store: Store, onReport?: (report: MigrationReport) => void): Promise<Store> {
  try {
    const report = await store.migrate();
    onReport?.(report);
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}

export type { MigrationReport, Store } from './types.ts';
export type { SqliteSynchronous } from './sqlite/database.ts';

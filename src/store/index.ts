/**
 * Opens the configured store and applies pending migrations. The caller decides the default
 * SQLite path (e.g. `data/cloudbridge.db`).
 */
import { CloudbridgeError } from '../core/errors.ts';
import { PostgresStore } from './postgres/postgres-store.ts';
import { SqliteStore } from './sqlite/sqlite-store.ts';
import { sqliteThreadStore } from './sqlite/thread/thread-store.ts';
import type { SqliteSynchronous } from './sqlite/database.ts';
import type { Store } from './types.ts';

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
  if (cfg.sqlite !== undefined && cfg.postgres !== undefined) {
    throw new CloudbridgeError('CONFIG_INVALID', 'configure either store.sqlite or store.postgres, not both', { field: 'store' });
  }
  if (cfg.postgres !== undefined) return migrated(new PostgresStore({ url: cfg.postgres.url }));
  if (cfg.sqlite === undefined) {
    throw new CloudbridgeError('CONFIG_INVALID', 'no store configured: set store.sqlite.path', { field: 'store.sqlite' });
  }
  const options = { path: cfg.sqlite.path, synchronous: cfg.sqlite.synchronous ?? 'FULL' };
  return migrated(cfg.sqlite.thread === true ? sqliteThreadStore(options) : new SqliteStore(options));
}

async function migrated(store: Store): Promise<Store> {
  try {
    await store.migrate();
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}

export type { Store } from './types.ts';
export type { SqliteSynchronous } from './sqlite/database.ts';

/**
 * One SQLite connection (node:sqlite) with the pragmas Cloudbridge relies on, a cache of prepared
 * statements and a transaction helper. Every store role shares one SqliteDatabase.
 */
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { CloudbridgeError } from '../../core/errors.ts';
import { ensurePrivateDir, ensurePrivateFile } from '../../core/private-files.ts';

export type SqliteSynchronous = 'FULL' | 'NORMAL';

export interface SqliteOptions {
  /** File path, or `:memory:` (tests only: nothing survives close). */
  path: string;
  /** `FULL` (default): a commit is on disk when it returns, so an ack follows a durable commit. */
  synchronous?: SqliteSynchronous;
  /** How long a statement waits for a lock held by another connection. Default 5000. */
  busyTimeoutMs?: number;
}

export class SqliteDatabase {
  readonly path: string;
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();
  #closed = false;

  constructor(opts: SqliteOptions) {
    this.path = opts.path;
    const synchronous = opts.synchronous ?? 'FULL';
    if (synchronous !== 'FULL' && synchronous !== 'NORMAL') {
      throw new CloudbridgeError('CONFIG_INVALID', `sqlite.synchronous must be FULL or NORMAL, not ${String(synchronous)}`, { field: 'sqlite.synchronous' });
    }
    const busyTimeoutMs = opts.busyTimeoutMs ?? 5000;
    try {
      if (opts.path !== ':memory:') {
        // Private: the directory (when created here) 0700, a new database file 0600. SQLite creates
        // the -wal and -shm files with the database file's mode, so they are 0600 too.
        ensurePrivateDir(dirname(opts.path));
        ensurePrivateFile(opts.path);
      }
      this.#db = new DatabaseSync(opts.path, { timeout: busyTimeoutMs, enableForeignKeyConstraints: true });
    } catch (err) {
      throw new CloudbridgeError('CONFIG_INVALID',
        `cannot open the SQLite database at ${opts.path}: ${(err as Error).message} (check the path and that its directory is writable)`,
        { field: 'sqlite.path' }, { cause: err });
    }
    try {
      this.#db.exec('PRAGMA journal_mode = WAL');
      this.#db.exec(`PRAGMA synchronous = ${synchronous}`);
      this.#db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
      this.#db.exec('PRAGMA foreign_keys = ON');
      // A larger WAL (64 MiB) between checkpoints: ingest rewrites the same telemetry pages in
      // consecutive batches, and each checkpoint then copies them once (measured ~1.6x faster).
      this.#db.exec('PRAGMA wal_autocheckpoint = 16384');
      this.#db.exec(`PRAGMA journal_size_limit = ${64 * 1024 * 1024}`);
      // The statement journals of the multi-row inserts stay in memory instead of spilling to
      // temp files (measured ~15% less CPU per ingest batch; bench/store-ingest.ts).
      this.#db.exec('PRAGMA temp_store = MEMORY');
    } catch (err) {
      this.#db.close();
      throw new CloudbridgeError('STORE_UNAVAILABLE',
        `cannot use the SQLite database at ${opts.path}: ${(err as Error).message}`, {}, { cause: err });
    }
  }

  get isOpen(): boolean {
    return !this.#closed;
  }

  /** A prepared statement, compiled once per SQL text. */
  prepare(sql: string): StatementSync {
    let stmt = this.#statements.get(sql);
    if (stmt === undefined) {
      this.#assertOpen();
      stmt = this.#db.prepare(sql);
      this.#statements.set(sql, stmt);
    } else if (this.#closed) {
      this.#assertOpen();
    }
    return stmt;
  }

  /** Runs SQL text that may hold several statements (migrations). */
  exec(sql: string): void {
    this.#assertOpen();
    this.#db.exec(sql);
  }

  /**
   * Runs `fn` in one write transaction (BEGIN IMMEDIATE: the write lock is taken up front).
   * Commits when `fn` returns; rolls back and rethrows when it (or the commit) throws.
   */
  transaction<T>(fn: () => T): T {
    this.#assertOpen();
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const result = fn();
      this.#db.exec('COMMIT');
      return result;
    } catch (err) {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      throw err;
    }
  }

  /** Closes the connection. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#statements.clear();
    this.#db.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new CloudbridgeError('STORE_UNAVAILABLE', `the SQLite store at ${this.path} is closed`);
  }
}

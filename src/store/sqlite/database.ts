/**
 * One SQLite connection (node:sqlite) with the pragmas Cloudbridge relies on, a cache of prepared
 * statements and a transaction helper. Every store role shares one SqliteDatabase.
 */
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DatabaseSync, type SQLInputValue, type SQLOutputValue, type StatementSync } from 'node:sqlite';
import { CloudbridgeError } from '../../core/errors.ts';
import { ensurePrivateDir, ensurePrivateFile } from '../../core/private-files.ts';

export type SqliteSynchronous = 'FULL' | 'NORMAL';

const SQLITE_READONLY = 8;
const SQLITE_IOERR = 10;

/**
 * A commit that leaves at least this many pages (4 KiB each: 32 MiB) in the write-ahead log
 * checkpoints it into the database; the WAL then starts over. With one connection and no other
 * process reading, the WAL file stays under this plus one commit (docs/configuration.md).
 */
export const WAL_AUTOCHECKPOINT_PAGES = 8192;
const PAGE_BYTES = 4096;

export interface SqliteOptions {
  /** File path, or `:memory:` (tests only: nothing survives close). */
  path: string;
  /** `FULL` (default): a commit is on disk when it returns, so an ack follows a durable commit. */
  synchronous?: SqliteSynchronous;
  /** How long a statement waits for a lock held by another connection. Default 5000. */
  busyTimeoutMs?: number;
  /**
   * WAL pages that trigger a checkpoint; after a checkpoint the WAL file is cut back to this many
   * pages' bytes (below that it is reused, not regrown). Default WAL_AUTOCHECKPOINT_PAGES
   * (benchmarks compare others).
   */
  walAutocheckpointPages?: number;
}

export class SqliteDatabase {
  readonly path: string;
  readonly #busyTimeoutMs: number;
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();
  #closed = false;

  constructor(opts: SqliteOptions) {
    this.path = opts.path;
    const synchronous = opts.synchronous ?? 'FULL';
    if (synchronous !== 'FULL' && synchronous !== 'NORMAL') {
      throw new CloudbridgeError('CONFIG_INVALID', `sqlite.synchronous must be FULL or NORMAL, not ${String(synchronous)}`, { field: 'sqlite.synchronous' });
    }
    const busyTimeoutMs = Math.max(0, Math.floor(opts.busyTimeoutMs ?? 5000));
    this.#busyTimeoutMs = busyTimeoutMs;
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
      this.#db.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
      this.#db.exec('PRAGMA foreign_keys = ON');
      // 32 MiB of WAL between checkpoints rather than SQLite's 4 MiB: ingest rewrites the same
      // pages in consecutive batches and each checkpoint copies them once. On a table of 1M points
      // 4 MiB cost ~20% and 16 MiB ~15% more CPU per commit; 64 MiB saved ~5% but let the WAL take
      // twice the disk (`node bench/store-ingest.ts --wal-pages 16384,8192,4096,1000`, docs/benchmarks.md).
      const walPages = Math.floor(opts.walAutocheckpointPages ?? WAL_AUTOCHECKPOINT_PAGES);
      this.#db.exec(`PRAGMA wal_autocheckpoint = ${walPages}`);
      this.#db.exec(`PRAGMA journal_size_limit = ${walPages * PAGE_BYTES}`);
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

  /** Defines a deterministic SQL function on this connection (for migrations). */
  defineFunction(name: string, fn: (...args: SQLOutputValue[]) => SQLInputValue): void {
    this.#assertOpen();
    this.#db.function(name, { deterministic: true }, fn);
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
    try {
      this.#db.exec('BEGIN IMMEDIATE');
    } catch (err) {
      throw this.#explainWriteError(err);
    }
    try {
      const result = fn();
      this.#db.exec('COMMIT');
      return result;
    } catch (err) {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      throw this.#explainWriteError(err);
    }
  }

  /** The write-ahead log file: bytes and last write (epoch ms); zeros without one (e.g. in memory). */
  walFile(): { bytes: number; modifiedAt: number } {
    return walFileOf(this.path);
  }

  /**
   * `PRAGMA wal_checkpoint(TRUNCATE)` without waiting for other connections (busy timeout 0 for
   * this statement: it never blocks the event loop). `complete` is false when another connection
   * still reads an older snapshot or writes, so the WAL could not be emptied.
   */
  truncateWal(): { complete: boolean; walBytesBefore: number; walBytesAfter: number } {
    this.#assertOpen();
    const walBytesBefore = this.walFile().bytes;
    this.#db.exec('PRAGMA busy_timeout = 0');
    let row: { busy: number; log: number; checkpointed: number } | undefined;
    try {
      row = this.#db.prepare('PRAGMA wal_checkpoint(TRUNCATE)').get() as typeof row;
    } finally {
      this.#db.exec(`PRAGMA busy_timeout = ${this.#busyTimeoutMs}`);
    }
    const complete = row !== undefined && row.busy === 0 && row.log === row.checkpointed;
    return { complete, walBytesBefore, walBytesAfter: this.walFile().bytes };
  }

  /** Closes the connection. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#statements.clear();
    this.#db.close();
  }

  /**
   * SQLite reports a write to a read-only file system as a plain "disk I/O error" (or "attempt to
   * write a readonly database"): name the cause, so the status and /ready say what to fix.
   */
  #explainWriteError(err: unknown): unknown {
    const errcode = (err as { errcode?: unknown } | null)?.errcode;
    const primary = typeof errcode === 'number' ? errcode & 0xff : -1;
    if ((primary !== SQLITE_IOERR && primary !== SQLITE_READONLY) || this.path === ':memory:') return err;
    // access(W_OK) does not see every read-only state (ext4 after an error), a real write does.
    const check = join(dirname(this.path), '.cloudbridge-write-check');
    try {
      writeFileSync(check, '');
      rmSync(check, { force: true });
      return err;
    } catch (writeErr) {
      if ((writeErr as NodeJS.ErrnoException).code !== 'EROFS') return err;
    }
    return new CloudbridgeError('STORE_UNAVAILABLE',
      `${(err as Error).message}: the file system holding ${this.path} is read-only (remounted read-only after a disk error?)`, {}, { cause: err });
  }

  #assertOpen(): void {
    if (this.#closed) throw new CloudbridgeError('STORE_UNAVAILABLE', `the SQLite store at ${this.path} is closed`);
  }
}

/** The write-ahead log file of the database at `path`: bytes and last write (epoch ms); zeros without one (e.g. in memory). */
export function walFileOf(path: string): { bytes: number; modifiedAt: number } {
  if (path === ':memory:') return { bytes: 0, modifiedAt: 0 };
  try {
    const s = statSync(`${path}-wal`);
    return { bytes: s.size, modifiedAt: s.mtimeMs };
  } catch {
    return { bytes: 0, modifiedAt: 0 };
  }
}

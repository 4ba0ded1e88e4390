/**
 * The PostgreSQL connection pool (node-postgres) with the conventions every store role relies
 * on: BIGINT columns come back as numbers (all stored integers are epoch ms, counts or safe
 * integers), queries run on the pool or inside `transaction()`, and connection failures become
 * STORE_UNAVAILABLE. An optional schema (search_path) lets several stores share one database.
 */
import pg from 'pg';
import type { CustomTypesConfig, PoolClient, QueryResultRow } from 'pg';
import { CloudbridgeError } from '../../core/errors.ts';

export interface PostgresOptions {
  /** Connection string, e.g. `postgres://user:pass@host:5432/cloudbridge`. */
  url: string;
  /** Schema holding the tables (search_path); must exist. Default: the server's search_path. */
  schema?: string;
  /** Pool size. Default 10. */
  maxConnections?: number;
  /** How long to wait for a connection. Default 10 000 ms. */
  connectTimeoutMs?: number;
}

/** What the role modules query through: the pool, or one transaction's connection. */
export interface Sql {
  rows<R extends QueryResultRow>(text: string, values?: unknown[]): Promise<R[]>;
  /** The first row, if any. */
  one<R extends QueryResultRow>(text: string, values?: unknown[]): Promise<R | undefined>;
  /** Runs a statement and returns the number of rows it changed. */
  run(text: string, values?: unknown[]): Promise<number>;
}

interface Queryable {
  query<R extends QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

const INT8_OID = 20;
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
/** Deadlocks and serialization failures: the transaction was rolled back and may simply run again. */
const RETRYABLE_TX = new Set(['40P01', '40001']);
const TX_ATTEMPTS = 3;

/** int8 as a JS number; every other type as node-postgres parses it by default. */
const TYPES: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8_OID && format !== 'binary') return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format ?? 'text');
  }) as CustomTypesConfig['getTypeParser'],
};

function sqlOf(target: Queryable, onError: (err: unknown) => never): Sql {
  return {
    async rows<R extends QueryResultRow>(text: string, values?: unknown[]): Promise<R[]> {
      try {
        return (await target.query<R>(text, values)).rows;
      } catch (err) {
        return onError(err);
      }
    },
    async one<R extends QueryResultRow>(text: string, values?: unknown[]): Promise<R | undefined> {
      return (await this.rows<R>(text, values))[0];
    },
    async run(text: string, values?: unknown[]): Promise<number> {
      try {
        return (await target.query(text, values)).rowCount ?? 0;
      } catch (err) {
        return onError(err);
      }
    },
  };
}

/** The SQLSTATE of a PostgreSQL error, if it is one. */
export function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** True for failures of the connection rather than of the statement. */
function isConnectionError(err: unknown): boolean {
  const state = sqlState(err);
  if (state !== undefined) return state.startsWith('08') || state.startsWith('57P') || state.startsWith('53');
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return true;
  const message = err instanceof Error ? err.message : '';
  return /Connection terminated|timeout exceeded when trying to connect|connection is closed/i.test(message);
}

export class PostgresDatabase {
  /** Where the store lives, without credentials (for messages). */
  readonly location: string;
  readonly schema: string | undefined;
  readonly #pool: pg.Pool;
  readonly #sql: Sql;
  #closed = false;

  constructor(opts: PostgresOptions) {
    if (opts.schema !== undefined && !SCHEMA_NAME.test(opts.schema)) {
      throw new CloudbridgeError('CONFIG_INVALID', `postgres schema must be a plain identifier (letters, digits, _), not "${opts.schema}"`, { field: 'postgres.schema' });
    }
    let url: URL;
    try {
      url = new URL(opts.url);
    } catch {
      throw new CloudbridgeError('CONFIG_INVALID', 'postgres.url is not a valid URL (expected postgres://user:pass@host:5432/database)', { field: 'postgres.url' });
    }
    if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
      throw new CloudbridgeError('CONFIG_INVALID', `postgres.url must start with postgres://, not ${url.protocol}//`, { field: 'postgres.url' });
    }
    this.location = `${url.hostname}${url.port === '' ? '' : `:${url.port}`}${url.pathname}${opts.schema === undefined ? '' : ` (schema ${opts.schema})`}`;
    this.schema = opts.schema;
    const config: pg.PoolConfig = {
      connectionString: opts.url, max: opts.maxConnections ?? 10, connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000, types: TYPES,
    };
    if (opts.schema !== undefined) config.options = `-c search_path=${opts.schema}`;
    this.#pool = new pg.Pool(config);
    // An idle connection that breaks (server restart) is dropped by the pool; the next query
    // reports the failure, so the event only has to be handled, not acted on.
    this.#pool.on('error', () => undefined);
    this.#sql = sqlOf(this.#pool, (err) => this.#fail(err));
  }

  get isOpen(): boolean {
    return !this.#closed;
  }

  /** Queries on the pool (each statement on its own, autocommit). */
  get sql(): Sql {
    this.#assertOpen();
    return this.#sql;
  }

  /** Runs `fn` with one connection of the pool to itself (migrations: session locks, own transactions). */
  async withClient<T>(fn: (sql: Sql, client: PoolClient) => Promise<T>): Promise<T> {
    this.#assertOpen();
    let client: PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (err) {
      return this.#fail(err);
    }
    let broken = false;
    // While checked out, a client has no 'error' listener of the pool's: a connection that dies
    // under it (server restart, pg_terminate_backend) would emit an unhandled 'error' and end the
    // process. Its queries fail on their own; the client goes back to the pool as broken.
    const onError = (): void => {
      broken = true;
    };
    client.on('error', onError);
    try {
      return await fn(sqlOf(client, (err) => {
        broken ||= isConnectionError(err);
        return this.#fail(err);
      }), client);
    } finally {
      client.removeListener('error', onError);
      client.release(broken);
    }
  }

  /**
   * Runs `fn` in one transaction (READ COMMITTED): commits when it returns, rolls back and
   * rethrows when it (or COMMIT) throws. A deadlock or serialization failure runs it again (the
   * rolled-back attempt left nothing behind), so `fn` must keep its side effects in the database.
   */
  async transaction<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.withClient(async (sql) => {
          await sql.run('BEGIN');
          try {
            const result = await fn(sql);
            await sql.run('COMMIT');
            return result;
          } catch (err) {
            await sql.run('ROLLBACK').catch(() => undefined);
            throw err;
          }
        });
      } catch (err) {
        const state = sqlState(err) ?? sqlState((err as { cause?: unknown }).cause);
        if (attempt >= TX_ATTEMPTS || state === undefined || !RETRYABLE_TX.has(state)) throw err;
      }
    }
  }

  /** Ends the pool. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }

  #assertOpen(): void {
    if (this.#closed) throw new CloudbridgeError('STORE_UNAVAILABLE', `the PostgreSQL store at ${this.location} is closed`);
  }

  #fail(err: unknown): never {
    if (err instanceof CloudbridgeError) throw err;
    const state = sqlState(err);
    if (state !== undefined && (state.startsWith('28') || state === '3D000')) {
      // Rejected credentials or an unknown database: retrying will not help, the URL must change.
      throw new CloudbridgeError('CONFIG_INVALID',
        `PostgreSQL at ${this.location} refused the connection: ${(err as Error).message} (check postgres.url)`, { field: 'postgres.url' }, { cause: err });
    }
    if (isConnectionError(err)) {
      throw new CloudbridgeError('STORE_UNAVAILABLE',
        `cannot reach PostgreSQL at ${this.location}: ${(err as Error).message}`, {}, { cause: err });
    }
    throw err;
  }
}

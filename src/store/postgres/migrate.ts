/**
 * Versioned schema migrations: `src/store/migrations/postgres/NNN_name.sql`, applied in version
 * order, each in its own transaction together with its row in `schema_migrations`. The whole run
 * holds a session advisory lock (one per schema), so instances starting at once migrate one
 * after the other and each migration is applied exactly once.
 */
import { CloudbridgeError } from '../../core/errors.ts';
import { assertSchemaKnown, migrationFailed, readMigrations, type Migration } from '../migration-files.ts';
import type { PostgresDatabase, Sql } from './database.ts';

export const POSTGRES_MIGRATIONS_DIR = new URL('../migrations/postgres/', import.meta.url);

/** The migration files of the PostgreSQL store, sorted by version. */
export function loadPostgresMigrations(): Migration[] {
  return readMigrations(POSTGRES_MIGRATIONS_DIR);
}

const LOCK = `hashtext('cloudbridge.migrate:' || coalesce(current_schema(), ''))`;

async function appliedVersions(sql: Sql): Promise<Set<number>> {
  const rows = await sql.rows<{ version: number }>('SELECT version FROM schema_migrations');
  return new Set(rows.map((r) => Number(r.version)));
}

/** Applies the pending migrations and returns their versions. Idempotent; safe to run concurrently. */
export async function migratePostgres(db: PostgresDatabase, migrations: Migration[] = loadPostgresMigrations()): Promise<number[]> {
  return db.withClient(async (sql) => {
    await sql.run(`SELECT pg_advisory_lock(${LOCK})`);
    try {
      await sql.run(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`);
      const done = await appliedVersions(sql);
      assertSchemaKnown(done, migrations, `the PostgreSQL database at ${db.location}`, 'postgres.url');
      const applied: number[] = [];
      for (const m of migrations) {
        if (done.has(m.version)) continue;
        try {
          await sql.run('BEGIN');
          await sql.run(m.sql);
          await sql.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, Date.now()]);
          await sql.run('COMMIT');
        } catch (err) {
          await sql.run('ROLLBACK').catch(() => undefined);
          if (err instanceof CloudbridgeError) throw err;
          throw migrationFailed(m, db.location, err);
        }
        applied.push(m.version);
      }
      return applied;
    } finally {
      await sql.run(`SELECT pg_advisory_unlock(${LOCK})`).catch(() => undefined);
    }
  });
}

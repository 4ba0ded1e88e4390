/**
 * Versioned schema migrations: `src/store/migrations/sqlite/NNN_name.sql`, applied in version
 * order, each in its own transaction together with its row in `schema_migrations`.
 */
import { dedupeDigest } from '../dedupe-digest.ts';
import { assertSchemaKnown, migrationFailed, readMigrations, type Migration } from '../migration-files.ts';
import type { SqliteDatabase } from './database.ts';

export type { Migration } from '../migration-files.ts';

export const SQLITE_MIGRATIONS_DIR = new URL('../migrations/sqlite/', import.meta.url);

/** Reads the migration files of a folder (the SQLite store's by default), sorted by version. */
export function loadMigrations(dir: URL = SQLITE_MIGRATIONS_DIR): Migration[] {
  return readMigrations(dir);
}

function appliedVersions(db: SqliteDatabase): Set<number> {
  const rows = db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>;
  return new Set(rows.map((r) => r.version));
}

/** Applies the pending migrations. Idempotent; safe when another process migrates concurrently. */
export function migrateSqlite(db: SqliteDatabase, migrations: Migration[] = loadMigrations()): number[] {
  // 005 turns stored dedupe keys into their digests.
  db.defineFunction('cb_dedupe_digest', (integrationId, sourceKey) => dedupeDigest(String(integrationId), String(sourceKey)));
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
  assertSchemaKnown(appliedVersions(db), migrations, `the database at ${db.path}`, 'sqlite.path');
  const applied: number[] = [];
  for (const m of migrations) {
    try {
      db.transaction(() => {
        // Checked inside the write transaction so a concurrent migrator cannot apply it twice.
        if (appliedVersions(db).has(m.version)) return;
        db.exec(m.sql);
        db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, Date.now());
        applied.push(m.version);
      });
    } catch (err) {
      throw migrationFailed(m, db.path, err);
    }
  }
  return applied;
}

/**
 * Versioned schema migrations: `src/store/migrations/sqlite/NNN_name.sql`, applied in version
 * order, each in its own transaction together with its row in `schema_migrations`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { CloudbridgeError } from '../../core/errors.ts';
import type { SqliteDatabase } from './database.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const SQLITE_MIGRATIONS_DIR = new URL('../migrations/sqlite/', import.meta.url);

const FILE_NAME = /^(\d+)_([A-Za-z0-9_-]+)\.sql$/;

/** Reads the migration files of a folder, sorted by version. */
export function loadMigrations(dir: URL = SQLITE_MIGRATIONS_DIR): Migration[] {
  const migrations: Migration[] = [];
  for (const file of readdirSync(dir)) {
    const match = FILE_NAME.exec(file);
    if (match === null) continue;
    const version = Number(match[1]);
    const name = match[2] ?? '';
    if (migrations.some((m) => m.version === version)) {
      throw new CloudbridgeError('INTERNAL', `two migrations share version ${version} in ${dir.pathname}`);
    }
    migrations.push({ version, name, sql: readFileSync(new URL(file, dir), 'utf8') });
  }
  return migrations.sort((a, b) => a.version - b.version);
}

function appliedVersions(db: SqliteDatabase): Set<number> {
  const rows = db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>;
  return new Set(rows.map((r) => r.version));
}

/** Applies the pending migrations. Idempotent; safe when another process migrates concurrently. */
export function migrateSqlite(db: SqliteDatabase, migrations: Migration[] = loadMigrations()): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
  const known = migrations.at(-1)?.version ?? 0;
  const newest = Math.max(0, ...appliedVersions(db));
  if (newest > known) {
    throw new CloudbridgeError('CONFIG_INVALID',
      `the database at ${db.path} has schema version ${newest}, newer than this Cloudbridge knows (${known}); run a newer Cloudbridge or use another database`,
      { field: 'sqlite.path' });
  }
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
      throw new CloudbridgeError('STORE_UNAVAILABLE',
        `migration ${String(m.version).padStart(3, '0')}_${m.name} failed on ${db.path}: ${(err as Error).message}`, {}, { cause: err });
    }
  }
  return applied;
}

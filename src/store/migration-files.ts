/**
 * Versioned schema migration files, `NNN_name.sql`, read from a store's folder under
 * `src/store/migrations/`, and the checks and messages both stores' migrators share.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { CloudbridgeError } from '../core/errors.ts';
import type { MigrationReport } from './types.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const FILE_NAME = /^(\d+)_([A-Za-z0-9_-]+)\.sql$/;

/** Reads the migration files of a folder, sorted by version. */
export function readMigrations(dir: URL): Migration[] {
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

/** The report of a migration run that applied `applied` (versions) out of `migrations`. */
export function migrationReport(applied: readonly number[], migrations: readonly Migration[]): MigrationReport {
  return {
    applied: migrations.filter((m) => applied.includes(m.version)).map((m) => ({ version: m.version, name: m.name })),
    version: migrations.at(-1)?.version ?? 0,
  };
}

/**
 * CONFIG_INVALID when the database was migrated by a newer Cloudbridge than this one.
 * `database` names it for the message (e.g. `the database at <path>`), `field` is the config field.
 */
export function assertSchemaKnown(applied: Iterable<number>, migrations: readonly Migration[], database: string, field: string): void {
  const known = migrations.at(-1)?.version ?? 0;
  const newest = Math.max(0, ...applied);
  if (newest > known) {
    throw new CloudbridgeError('CONFIG_INVALID',
      `${database} has schema version ${newest}, newer than this Cloudbridge knows (${known}); run a newer Cloudbridge or use another database`,
      { field });
  }
}

/** STORE_UNAVAILABLE for a migration that failed to apply on `location`. */
export function migrationFailed(m: Migration, location: string, err: unknown): CloudbridgeError {
  return new CloudbridgeError('STORE_UNAVAILABLE',
    `migration ${String(m.version).padStart(3, '0')}_${m.name} failed on ${location}: ${(err as Error).message}`, {}, { cause: err });
}

/**
 * The store section of a config file on its own, for the commands that only need the store
 * (`token`, `integrations`, `converters list`, `migrate`): `${ENV}` references elsewhere in the file
 * (an integration's `${AWS_SECRET}`) are not interpolated, so they need not be set. The file is
 * still parsed as YAML as a whole, and its errors are the ones `start` reports.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDocument, stringify } from 'yaml';
import type { StoreConfig } from '../store/index.ts';
import { loadConfigFile, parseConfigText, type ConfigFile } from './config-file.ts';

export type StoreSection = ConfigFile['store'];

/** Where the SQLite database is when the config names none (relative to the working directory). */
export const DEFAULT_SQLITE_PATH = './data/cloudbridge.db';

/** The file's top-level mapping as YAML gives it (nothing interpolated), or null when it is not readable or valid YAML. */
function rawConfig(path: string): Record<string, unknown> | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  const doc = parseDocument(text);
  if (doc.errors.length > 0 || doc.warnings.length > 0) return null;
  try {
    const raw: unknown = doc.toJS();
    return raw && typeof raw === 'object' && !Array.isArray(raw) ? raw as Record<string, unknown> : null;
  } catch {
    return null;
  }
}

/** The validated `store` section of `path` (defaults when there is no file: SQLite at ./data/cloudbridge.db). */
export function loadStoreSection(path: string | undefined, env: NodeJS.ProcessEnv = process.env): StoreSection {
  if (path === undefined) return parseConfigText('{}', env).store;
  const raw = rawConfig(path);
  // The full loader words a missing file or a YAML error (and every other one) as start does.
  if (raw === null) return loadConfigFile(path, env).store;
  return parseConfigText(stringify(raw.store === undefined ? {} : { store: raw.store }), env, path).store;
}

/** Where the file defines the integration named `name` (e.g. `integrations[2]`), or null. */
export function integrationEntryOf(path: string, name: string): string | null {
  const list = rawConfig(path)?.integrations;
  if (!Array.isArray(list)) return null;
  const index = list.findIndex((i: unknown) => (i as { name?: unknown } | null)?.name === name);
  return index < 0 ? null : `integrations[${index}]`;
}

/** The SQLite database file of a store section (absolute), also where the master key file lives. */
export function sqlitePathOf(section: StoreSection): string {
  return resolve(section.sqlite?.path ?? DEFAULT_SQLITE_PATH);
}

/** The master key file used when CLOUDBRIDGE_MASTER_KEY is not set: beside the SQLite database. */
export function masterKeyFileOf(section: StoreSection): string {
  return resolve(dirname(sqlitePathOf(section)), 'master.key');
}

/** What `openStore` needs for a store section. */
export function storeOptionsOf(section: StoreSection): StoreConfig {
  if (section.postgres) return { postgres: { url: section.postgres.url } };
  return { sqlite: { path: sqlitePathOf(section), ...(section.sqlite?.synchronous ? { synchronous: section.sqlite.synchronous } : {}) } };
}

/** The store for messages: the SQLite file, or the PostgreSQL host and database (never the URL's password). */
export function storeLocationOf(section: StoreSection): string {
  if (!section.postgres) return sqlitePathOf(section);
  try {
    const url = new URL(section.postgres.url);
    return `PostgreSQL ${url.host}${url.pathname}`;
  } catch {
    return 'PostgreSQL';
  }
}

/** Integrations and converters, stored as given (the app layer encrypts secret fields first). */
import { CloudbridgeError } from '../../core/errors.ts';
import type { ConverterConfig, ConverterLanguage, ConverterType, IntegrationConfig } from '../../core/model.ts';
import { decodeJson, encodeJson } from '../kv-columns.ts';
import type { SqliteDatabase } from './database.ts';

interface IntegrationRow {
  id: string;
  name: string;
  type: string;
  enabled: number;
  uplink_converter_id: string;
  downlink_converter_id: string | null;
  allow_create_devices: number;
  debug_json: string;
  metadata_json: string;
  config_json: string;
  created_at: number;
  updated_at: number;
}

interface ConverterRow {
  id: string;
  name: string;
  type: ConverterType;
  language: ConverterLanguage;
  script: string;
  limits_json: string | null;
  created_at: number;
  updated_at: number;
}

const INTEGRATION_COLUMNS = 'id, name, type, enabled, uplink_converter_id, downlink_converter_id, allow_create_devices, '
  + 'debug_json, metadata_json, config_json, created_at, updated_at';
const CONVERTER_COLUMNS = 'id, name, type, language, script, limits_json, created_at, updated_at';

function toIntegration(r: IntegrationRow): IntegrationConfig {
  return {
    id: r.id, name: r.name, type: r.type, enabled: r.enabled === 1, uplinkConverterId: r.uplink_converter_id,
    downlinkConverterId: r.downlink_converter_id, allowCreateDevices: r.allow_create_devices === 1,
    debug: decodeJson(r.debug_json), metadata: decodeJson(r.metadata_json), config: decodeJson(r.config_json),
    createdAt: r.created_at, updatedAt: r.updated_at,
  };
}

function toConverter(r: ConverterRow): ConverterConfig {
  const c: ConverterConfig = {
    id: r.id, name: r.name, type: r.type, language: r.language, script: r.script, createdAt: r.created_at, updatedAt: r.updated_at,
  };
  if (r.limits_json !== null) c.limits = decodeJson(r.limits_json);
  return c;
}

export class SqliteConfig {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  listIntegrations(): IntegrationConfig[] {
    const rows = this.#db.prepare(`SELECT ${INTEGRATION_COLUMNS} FROM integrations ORDER BY name`).all() as unknown as IntegrationRow[];
    return rows.map(toIntegration);
  }

  /** By id first, then by name. */
  getIntegration(idOrName: string): IntegrationConfig | null {
    const row = this.#db.prepare(`SELECT ${INTEGRATION_COLUMNS} FROM integrations WHERE id = ?1 OR name = ?1
      ORDER BY id = ?1 DESC LIMIT 1`).get(idOrName) as IntegrationRow | undefined;
    return row === undefined ? null : toIntegration(row);
  }

  /** Insert or replace by id; CONFLICT when another integration has the name. */
  saveIntegration(c: IntegrationConfig): void {
    this.#db.transaction(() => {
      this.#assertNameFree('integrations', 'integration', c.id, c.name);
      this.#db.prepare(`INSERT INTO integrations (${INTEGRATION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET name = excluded.name, type = excluded.type, enabled = excluded.enabled,
          uplink_converter_id = excluded.uplink_converter_id, downlink_converter_id = excluded.downlink_converter_id,
          allow_create_devices = excluded.allow_create_devices, debug_json = excluded.debug_json,
          metadata_json = excluded.metadata_json, config_json = excluded.config_json,
          created_at = excluded.created_at, updated_at = excluded.updated_at`).run(
        c.id, c.name, c.type, c.enabled ? 1 : 0, c.uplinkConverterId, c.downlinkConverterId ?? null,
        c.allowCreateDevices ? 1 : 0, encodeJson(c.debug), encodeJson(c.metadata), encodeJson(c.config), c.createdAt, c.updatedAt);
    });
  }

  /** Deletes the integration row; the caller removes what belongs to it in the same transaction. */
  deleteIntegrationRow(id: string): void {
    const { changes } = this.#db.prepare('DELETE FROM integrations WHERE id = ?').run(id);
    if (Number(changes) === 0) throw new CloudbridgeError('NOT_FOUND', `integration ${id} not found`);
  }

  listConverters(): ConverterConfig[] {
    const rows = this.#db.prepare(`SELECT ${CONVERTER_COLUMNS} FROM converters ORDER BY name`).all() as unknown as ConverterRow[];
    return rows.map(toConverter);
  }

  getConverter(idOrName: string): ConverterConfig | null {
    const row = this.#db.prepare(`SELECT ${CONVERTER_COLUMNS} FROM converters WHERE id = ?1 OR name = ?1
      ORDER BY id = ?1 DESC LIMIT 1`).get(idOrName) as ConverterRow | undefined;
    return row === undefined ? null : toConverter(row);
  }

  saveConverter(c: ConverterConfig): void {
    this.#db.transaction(() => {
      this.#assertNameFree('converters', 'converter', c.id, c.name);
      this.#db.prepare(`INSERT INTO converters (${CONVERTER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET name = excluded.name, type = excluded.type, language = excluded.language,
          script = excluded.script, limits_json = excluded.limits_json, created_at = excluded.created_at,
          updated_at = excluded.updated_at`).run(
        c.id, c.name, c.type, c.language, c.script, c.limits === undefined ? null : encodeJson(c.limits), c.createdAt, c.updatedAt);
    });
  }

  /** CONFLICT while an integration uses the converter; NOT_FOUND for an unknown id. */
  deleteConverter(id: string): void {
    this.#db.transaction(() => {
      const users = this.#db.prepare('SELECT name FROM integrations WHERE uplink_converter_id = ?1 OR downlink_converter_id = ?1 ORDER BY name')
        .all(id) as Array<{ name: string }>;
      if (users.length > 0) {
        throw new CloudbridgeError('CONFLICT', `converter ${id} is used by integration(s) ${users.map((u) => `"${u.name}"`).join(', ')}`);
      }
      const { changes } = this.#db.prepare('DELETE FROM converters WHERE id = ?').run(id);
      if (Number(changes) === 0) throw new CloudbridgeError('NOT_FOUND', `converter ${id} not found`);
    });
  }

  #assertNameFree(table: 'integrations' | 'converters', what: string, id: string, name: string): void {
    const other = this.#db.prepare(`SELECT id FROM ${table} WHERE name = ? AND id <> ?`).get(name, id);
    if (other !== undefined) throw new CloudbridgeError('CONFLICT', `${what} name "${name}" is already used by another ${what}`, { field: 'name' });
  }
}

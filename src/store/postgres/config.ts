/** Integrations and converters, stored as given (the app layer encrypts secret fields first). */
import { CloudbridgeError } from '../../core/errors.ts';
import type { ConverterConfig, ConverterLanguage, ConverterType, IntegrationConfig } from '../../core/model.ts';
import { decodeJson, encodeJson } from '../kv-columns.ts';
import { sqlState, type PostgresDatabase, type Sql } from './database.ts';

interface IntegrationRow {
  id: string;
  name: string;
  type: string;
  enabled: boolean;
  uplink_converter_id: string;
  downlink_converter_id: string | null;
  allow_create_devices: boolean;
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
const UNIQUE_VIOLATION = '23505';

function toIntegration(r: IntegrationRow): IntegrationConfig {
  return {
    id: r.id, name: r.name, type: r.type, enabled: r.enabled, uplinkConverterId: r.uplink_converter_id,
    downlinkConverterId: r.downlink_converter_id, allowCreateDevices: r.allow_create_devices,
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

function nameTaken(what: string, name: string, cause?: unknown): CloudbridgeError {
  return new CloudbridgeError('CONFLICT', `${what} name "${name}" is already used by another ${what}`, { field: 'name' }, { cause });
}

export class PostgresConfig {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  async listIntegrations(): Promise<IntegrationConfig[]> {
    return (await this.#db.sql.rows<IntegrationRow>(`SELECT ${INTEGRATION_COLUMNS} FROM integrations ORDER BY name`)).map(toIntegration);
  }

  /** By id first, then by name. */
  async getIntegration(idOrName: string): Promise<IntegrationConfig | null> {
    const row = await this.#db.sql.one<IntegrationRow>(`SELECT ${INTEGRATION_COLUMNS} FROM integrations WHERE id = $1 OR name = $1
      ORDER BY id = $1 DESC LIMIT 1`, [idOrName]);
    return row === undefined ? null : toIntegration(row);
  }

  /** Insert or replace by id; CONFLICT when another integration has the name. */
  async saveIntegration(c: IntegrationConfig): Promise<void> {
    await this.#save('integration', c.name, `INSERT INTO integrations (${INTEGRATION_COLUMNS})
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
      ON CONFLICT (id) DO UPDATE SET name = excluded.name, type = excluded.type, enabled = excluded.enabled,
        uplink_converter_id = excluded.uplink_converter_id, downlink_converter_id = excluded.downlink_converter_id,
        allow_create_devices = excluded.allow_create_devices, debug_json = excluded.debug_json,
        metadata_json = excluded.metadata_json, config_json = excluded.config_json,
        created_at = excluded.created_at, updated_at = excluded.updated_at`, [
      c.id, c.name, c.type, c.enabled, c.uplinkConverterId, c.downlinkConverterId ?? null, c.allowCreateDevices,
      encodeJson(c.debug), encodeJson(c.metadata), encodeJson(c.config), c.createdAt, c.updatedAt]);
  }

  /** Deletes the integration row; the caller removes what belongs to it in the same transaction. */
  async deleteIntegrationRow(sql: Sql, id: string): Promise<void> {
    if (await sql.run('DELETE FROM integrations WHERE id = $1', [id]) === 0) throw new CloudbridgeError('NOT_FOUND', `integration ${id} not found`);
  }

  async listConverters(): Promise<ConverterConfig[]> {
    return (await this.#db.sql.rows<ConverterRow>(`SELECT ${CONVERTER_COLUMNS} FROM converters ORDER BY name`)).map(toConverter);
  }

  async getConverter(idOrName: string): Promise<ConverterConfig | null> {
    const row = await this.#db.sql.one<ConverterRow>(`SELECT ${CONVERTER_COLUMNS} FROM converters WHERE id = $1 OR name = $1
      ORDER BY id = $1 DESC LIMIT 1`, [idOrName]);
    return row === undefined ? null : toConverter(row);
  }

  async saveConverter(c: ConverterConfig): Promise<void> {
    await this.#save('converter', c.name, `INSERT INTO converters (${CONVERTER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
      ON CONFLICT (id) DO UPDATE SET name = excluded.name, type = excluded.type, language = excluded.language,
        script = excluded.script, limits_json = excluded.limits_json, created_at = excluded.created_at,
        updated_at = excluded.updated_at`, [
      c.id, c.name, c.type, c.language, c.script, c.limits === undefined ? null : encodeJson(c.limits), c.createdAt, c.updatedAt]);
  }

  /** CONFLICT while an integration uses the converter; NOT_FOUND for an unknown id. */
  async deleteConverter(id: string): Promise<void> {
    await this.#db.transaction(async (sql) => {
      // Locks the integrations table against a concurrent save that would start using the converter.
      await sql.run('LOCK TABLE integrations IN SHARE MODE');
      const users = await sql.rows<{ name: string }>('SELECT name FROM integrations WHERE uplink_converter_id = $1 OR downlink_converter_id = $1 ORDER BY name', [id]);
      if (users.length > 0) {
        throw new CloudbridgeError('CONFLICT', `converter ${id} is used by integration(s) ${users.map((u) => `"${u.name}"`).join(', ')}`);
      }
      if (await sql.run('DELETE FROM converters WHERE id = $1', [id]) === 0) throw new CloudbridgeError('NOT_FOUND', `converter ${id} not found`);
    });
  }

  /** One upsert; the unique name index turns a name used by another row into CONFLICT. */
  async #save(what: string, name: string, text: string, values: unknown[]): Promise<void> {
    try {
      await this.#db.sql.run(text, values);
    } catch (err) {
      if (sqlState(err) === UNIQUE_VIOLATION) throw nameTaken(what, name, err);
      throw err;
    }
  }
}

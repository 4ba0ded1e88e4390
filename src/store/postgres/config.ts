/** Integrations and converters, stored as given (the app layer encrypts secret fields first). */
import { CloudbridgeError } from '../../core/errors.ts';
import type { ConverterConfig, IntegrationConfig } from '../../core/model.ts';
import { converterInUse, nameTaken } from '../input-checks.ts';
import {
  CONVERTER_COLUMNS, CONVERTER_UPDATE, converterValues, INTEGRATION_COLUMNS, INTEGRATION_UPDATE, integrationValues, toConverter,
  toIntegration, type ConverterRow, type IntegrationRow,
} from '../rows.ts';
import { sqlState, type PostgresDatabase, type Sql } from './database.ts';

type Table = 'integrations' | 'converters';

const UNIQUE_VIOLATION = '23505';

export class PostgresConfig {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  async listIntegrations(): Promise<IntegrationConfig[]> {
    return (await this.#list<IntegrationRow>('integrations', INTEGRATION_COLUMNS)).map(toIntegration);
  }

  /** By id first, then by name. */
  async getIntegration(idOrName: string): Promise<IntegrationConfig | null> {
    const row = await this.#byIdOrName<IntegrationRow>('integrations', INTEGRATION_COLUMNS, idOrName);
    return row === undefined ? null : toIntegration(row);
  }

  /** Insert or replace by id; CONFLICT when another integration has the name. */
  async saveIntegration(c: IntegrationConfig): Promise<void> {
    await this.#save('integration', c.name, `INSERT INTO integrations (${INTEGRATION_COLUMNS})
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
      ON CONFLICT (id) DO UPDATE SET ${INTEGRATION_UPDATE}`, integrationValues(c, (v) => v));
  }

  /** Deletes the integration row; the caller removes what belongs to it in the same transaction. */
  async deleteIntegrationRow(sql: Sql, id: string): Promise<void> {
    if (await sql.run('DELETE FROM integrations WHERE id = $1', [id]) === 0) throw new CloudbridgeError('NOT_FOUND', `integration ${id} not found`);
  }

  async listConverters(): Promise<ConverterConfig[]> {
    return (await this.#list<ConverterRow>('converters', CONVERTER_COLUMNS)).map(toConverter);
  }

  async getConverter(idOrName: string): Promise<ConverterConfig | null> {
    const row = await this.#byIdOrName<ConverterRow>('converters', CONVERTER_COLUMNS, idOrName);
    return row === undefined ? null : toConverter(row);
  }

  async saveConverter(c: ConverterConfig): Promise<void> {
    await this.#save('converter', c.name, `INSERT INTO converters (${CONVERTER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
      ON CONFLICT (id) DO UPDATE SET ${CONVERTER_UPDATE}`, converterValues(c));
  }

  /** CONFLICT while an integration uses the converter; NOT_FOUND for an unknown id. */
  async deleteConverter(id: string): Promise<void> {
    await this.#db.transaction(async (sql) => {
      // Locks the integrations table against a concurrent save that would start using the converter.
      await sql.run('LOCK TABLE integrations IN SHARE MODE');
      const users = await sql.rows<{ name: string }>('SELECT name FROM integrations WHERE uplink_converter_id = $1 OR downlink_converter_id = $1 ORDER BY name', [id]);
      if (users.length > 0) throw converterInUse(id, users.map((u) => u.name));
      if (await sql.run('DELETE FROM converters WHERE id = $1', [id]) === 0) throw new CloudbridgeError('NOT_FOUND', `converter ${id} not found`);
    });
  }

  /** All rows, by name. */
  async #list<R extends IntegrationRow | ConverterRow>(table: Table, columns: string): Promise<R[]> {
    return this.#db.sql.rows<R>(`SELECT ${columns} FROM ${table} ORDER BY name`);
  }

  /** The row with that id, else the one with that name. */
  async #byIdOrName<R extends IntegrationRow | ConverterRow>(table: Table, columns: string, idOrName: string): Promise<R | undefined> {
    return this.#db.sql.one<R>(`SELECT ${columns} FROM ${table} WHERE id = $1 OR name = $1
      ORDER BY id = $1 DESC LIMIT 1`, [idOrName]);
  }

  /** One upsert; the unique name index turns a name used by another row into CONFLICT. */
  async #save(what: 'integration' | 'converter', name: string, text: string, values: unknown[]): Promise<void> {
    try {
      await this.#db.sql.run(text, values);
    } catch (err) {
      if (sqlState(err) === UNIQUE_VIOLATION) throw nameTaken(what, name, err);
      throw err;
    }
  }
}

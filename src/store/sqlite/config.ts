/** Integrations and converters, stored as given (the app layer encrypts secret fields first). */
import { CloudbridgeError } from '../../core/errors.ts';
import type { ConverterConfig, IntegrationConfig } from '../../core/model.ts';
import { converterInUse, nameTaken } from '../input-checks.ts';
import {
  CONVERTER_COLUMNS, CONVERTER_UPDATE, converterValues, INTEGRATION_COLUMNS, INTEGRATION_UPDATE, integrationValues, toConverter,
  toIntegration, type ConverterRow, type IntegrationRow,
} from '../rows.ts';
import type { SqliteDatabase } from './database.ts';

type Table = 'integrations' | 'converters';

export class SqliteConfig {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  listIntegrations(): IntegrationConfig[] {
    return this.#list<IntegrationRow>('integrations', INTEGRATION_COLUMNS).map(toIntegration);
  }

  /** By id first, then by name. */
  getIntegration(idOrName: string): IntegrationConfig | null {
    const row = this.#byIdOrName<IntegrationRow>('integrations', INTEGRATION_COLUMNS, idOrName);
    return row === undefined ? null : toIntegration(row);
  }

  /** Insert or replace by id; CONFLICT when another integration has the name. */
  saveIntegration(c: IntegrationConfig): void {
    this.#db.transaction(() => {
      this.#assertNameFree('integrations', 'integration', c.id, c.name);
      this.#db.prepare(`INSERT INTO integrations (${INTEGRATION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET ${INTEGRATION_UPDATE}`).run(...integrationValues(c, (v) => (v ? 1 : 0)));
    });
  }

  /** Deletes the integration row; the caller removes what belongs to it in the same transaction. */
  deleteIntegrationRow(id: string): void {
    const { changes } = this.#db.prepare('DELETE FROM integrations WHERE id = ?').run(id);
    if (Number(changes) === 0) throw new CloudbridgeError('NOT_FOUND', `integration ${id} not found`);
  }

  listConverters(): ConverterConfig[] {
    return this.#list<ConverterRow>('converters', CONVERTER_COLUMNS).map(toConverter);
  }

  getConverter(idOrName: string): ConverterConfig | null {
    const row = this.#byIdOrName<ConverterRow>('converters', CONVERTER_COLUMNS, idOrName);
    return row === undefined ? null : toConverter(row);
  }

  saveConverter(c: ConverterConfig): void {
    this.#db.transaction(() => {
      this.#assertNameFree('converters', 'converter', c.id, c.name);
      this.#db.prepare(`INSERT INTO converters (${CONVERTER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET ${CONVERTER_UPDATE}`).run(...converterValues(c));
    });
  }

  /** CONFLICT while an integration uses the converter; NOT_FOUND for an unknown id. */
  deleteConverter(id: string): void {
    this.#db.transaction(() => {
      const users = this.#db.prepare('SELECT name FROM integrations WHERE uplink_converter_id = ?1 OR downlink_converter_id = ?1 ORDER BY name')
        .all(id) as Array<{ name: string }>;
      if (users.length > 0) throw converterInUse(id, users.map((u) => u.name));
      const { changes } = this.#db.prepare('DELETE FROM converters WHERE id = ?').run(id);
      if (Number(changes) === 0) throw new CloudbridgeError('NOT_FOUND', `converter ${id} not found`);
    });
  }

  /** All rows, by name. */
  #list<R extends IntegrationRow | ConverterRow>(table: Table, columns: string): R[] {
    return this.#db.prepare(`SELECT ${columns} FROM ${table} ORDER BY name`).all() as unknown as R[];
  }

  /** The row with that id, else the one with that name. */
  #byIdOrName<R extends IntegrationRow | ConverterRow>(table: Table, columns: string, idOrName: string): R | undefined {
    return this.#db.prepare(`SELECT ${columns} FROM ${table} WHERE id = ?1 OR name = ?1
      ORDER BY id = ?1 DESC LIMIT 1`).get(idOrName) as R | undefined;
  }

  #assertNameFree(table: Table, what: 'integration' | 'converter', id: string, name: string): void {
    const other = this.#db.prepare(`SELECT id FROM ${table} WHERE name = ? AND id <> ?`).get(name, id);
    if (other !== undefined) throw nameTaken(what, name);
  }
}

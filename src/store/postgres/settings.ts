/** Key/value settings, API tokens (hashes only) and the conversion journal. */
import { CloudbridgeError } from '../../core/errors.ts';
import { checkTokenRole } from '../input-checks.ts';
import { toToken, type TokenRow } from '../rows.ts';
import { toJournalEntry, type JournalRow } from '../rows.ts';
import type { ApiToken, ConversionJournalEntry } from '../types.ts';
import { sqlState, type PostgresDatabase, type Sql } from './database.ts';

const UNIQUE_VIOLATION = '23505';

export class PostgresSettings {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  async getSetting(key: string): Promise<string | null> {
    return (await this.#db.sql.one<{ value: string }>('SELECT value FROM settings WHERE key = $1', [key]))?.value ?? null;
  }

  async setSetting(key: string, value: string): Promise<void> {
    await this.#db.sql.run(`INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
      ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, [key, value, Date.now()]);
  }

  /** Oldest first. */
  async listTokens(): Promise<ApiToken[]> {
    const rows = await this.#db.sql.rows<TokenRow>('SELECT id, name, role, hash, created_at FROM api_tokens ORDER BY created_at, id');
    return rows.map(toToken);
  }

  /** CONFLICT when the id or the token (hash) exists already. */
  async addToken(t: ApiToken): Promise<void> {
    checkTokenRole(t.role);
    try {
      await this.#db.sql.run('INSERT INTO api_tokens (id, name, role, hash, created_at) VALUES ($1, $2, $3, $4, $5)',
        [t.id, t.name, t.role, t.hash, t.createdAt]);
    } catch (err) {
      if (sqlState(err) === UNIQUE_VIOLATION) {
        throw new CloudbridgeError('CONFLICT', `token "${t.name}" exists already (same id or same token)`, {}, { cause: err });
      }
      throw err;
    }
  }

  async deleteToken(id: string): Promise<boolean> {
    return (await this.#db.sql.run('DELETE FROM api_tokens WHERE id = $1', [id])) > 0;
  }

  /** Forgets the integration's conversion journal (it is being deleted); the caller provides the transaction. */
  async deleteJournalFor(sql: Sql, integrationId: string): Promise<void> {
    await sql.run('DELETE FROM conversion_journal WHERE integration_id = $1', [integrationId]);
  }

  async getConversionJournal(integrationId: string): Promise<ConversionJournalEntry | null> {
    const row = await this.#db.sql.one<JournalRow>('SELECT source_keys, started_at FROM conversion_journal WHERE integration_id = $1', [integrationId]);
    return row ? toJournalEntry(row) : null;
  }

  async setConversionJournal(integrationId: string, entry: ConversionJournalEntry): Promise<void> {
    await this.#db.sql.run(`INSERT INTO conversion_journal (integration_id, source_keys, started_at) VALUES ($1, $2, $3)
      ON CONFLICT (integration_id) DO UPDATE SET source_keys = excluded.source_keys, started_at = excluded.started_at`,
    [integrationId, JSON.stringify(entry.sourceKeys), entry.startedAt]);
  }

  async clearConversionJournal(integrationId: string): Promise<void> {
    await this.#db.sql.run('DELETE FROM conversion_journal WHERE integration_id = $1', [integrationId]);
  }
}

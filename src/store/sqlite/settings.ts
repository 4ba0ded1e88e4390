/** Key/value settings, API tokens (hashes only) and the conversion journal. */
import { CloudbridgeError } from '../../core/errors.ts';
import { checkTokenRole } from '../input-checks.ts';
import { toToken, type TokenRow } from '../rows.ts';
import { toJournalEntry, type JournalRow } from '../rows.ts';
import type { ApiToken, ConversionJournalEntry } from '../types.ts';
import type { SqliteDatabase } from './database.ts';

export class SqliteSettings {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  getSetting(key: string): string | null {
    const row = this.#db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value ?? null;
  }

  setSetting(key: string, value: string): void {
    // In a transaction so that a failed write is explained like a failed commit (database.ts).
    this.#db.transaction(() => this.#db.prepare(`INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
      ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`).run(key, value, Date.now()));
  }

  /** Oldest first. */
  listTokens(): ApiToken[] {
    const rows = this.#db.prepare('SELECT id, name, role, hash, created_at FROM api_tokens ORDER BY created_at, id').all() as unknown as TokenRow[];
    return rows.map(toToken);
  }

  /** CONFLICT when the id or the token (hash) exists already. */
  addToken(t: ApiToken): void {
    checkTokenRole(t.role);
    this.#db.transaction(() => {
      if (this.#db.prepare('SELECT 1 FROM api_tokens WHERE id = ? OR hash = ?').get(t.id, t.hash) !== undefined) {
        throw new CloudbridgeError('CONFLICT', `token "${t.name}" exists already (same id or same token)`);
      }
      this.#db.prepare('INSERT INTO api_tokens (id, name, role, hash, created_at) VALUES (?, ?, ?, ?, ?)')
        .run(t.id, t.name, t.role, t.hash, t.createdAt);
    });
  }

  deleteToken(id: string): boolean {
    return this.#db.transaction(() => this.#db.prepare('DELETE FROM api_tokens WHERE id = ?').run(id).changes > 0);
  }

  getConversionJournal(integrationId: string): ConversionJournalEntry | null {
    const row = this.#db.prepare('SELECT source_keys, started_at FROM conversion_journal WHERE integration_id = ?').get(integrationId) as JournalRow | undefined;
    return row ? toJournalEntry(row) : null;
  }

  setConversionJournal(integrationId: string, entry: ConversionJournalEntry): void {
    this.#db.prepare(`INSERT INTO conversion_journal (integration_id, source_keys, started_at) VALUES (?, ?, ?)
      ON CONFLICT (integration_id) DO UPDATE SET source_keys = excluded.source_keys, started_at = excluded.started_at`)
      .run(integrationId, JSON.stringify(entry.sourceKeys), entry.startedAt);
  }

  clearConversionJournal(integrationId: string): void {
    this.#db.prepare('DELETE FROM conversion_journal WHERE integration_id = ?').run(integrationId);
  }
}

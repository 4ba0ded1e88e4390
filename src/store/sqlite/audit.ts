/** The audit log (docs/audit.md): entries newest first, paged by id, pruned by age. */
import { CloudbridgeError } from '../../core/errors.ts';
import { AUDIT_COLUMNS, auditAnchorMissing, auditConditions, auditValues, toAuditEntry, type AuditRow } from '../audit-rows.ts';
import { DEFAULT_LIMIT } from '../rows.ts';
import type { AuditEntry, AuditInput, AuditQuery } from '../types.ts';
import type { SqliteDatabase } from './database.ts';

export class SqliteAudit {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  addAudit(entries: AuditInput[]): void {
    if (entries.length === 0) return;
    this.#db.transaction(() => {
      const insert = this.#db.prepare(`INSERT INTO audit (${AUDIT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
      for (const e of entries) insert.run(...auditValues(e));
    });
  }

  listAudit(q: AuditQuery): AuditEntry[] {
    const params: Array<string | number> = [];
    const param = (v: unknown): string => {
      params.push(v as string | number);
      return '?';
    };
    const where = auditConditions(q, param);
    if (q.before !== undefined) {
      const anchor = this.#db.prepare('SELECT ts, seq FROM audit WHERE id = ?').get(q.before) as { ts: number; seq: number } | undefined;
      if (anchor === undefined) throw new CloudbridgeError('NOT_FOUND', auditAnchorMissing(q.before), { field: 'before' });
      where.push(`(ts < ${param(anchor.ts)} OR (ts = ${param(anchor.ts)} AND seq < ${param(anchor.seq)}))`);
    }
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const rows = this.#db.prepare(`SELECT ${AUDIT_COLUMNS} FROM audit ${clause} ORDER BY ts DESC, seq DESC LIMIT ?`)
      .all(...params, q.limit ?? DEFAULT_LIMIT) as unknown as AuditRow[];
    return rows.map(toAuditEntry);
  }

  pruneAudit(olderThan: number): number {
    return Number(this.#db.transaction(() => this.#db.prepare('DELETE FROM audit WHERE ts < ?').run(olderThan).changes));
  }
}

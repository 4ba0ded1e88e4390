/** The audit log (docs/audit.md): entries newest first, paged by id, pruned by age. */
import { CloudbridgeError } from '../../core/errors.ts';
import { AUDIT_COLUMNS, auditAnchorMissing, auditConditions, auditValues, toAuditEntry, type AuditRow } from '../audit-rows.ts';
import { DEFAULT_LIMIT } from '../rows.ts';
import type { AuditEntry, AuditInput, AuditQuery } from '../types.ts';
import type { PostgresDatabase } from './database.ts';

export class PostgresAudit {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  async addAudit(entries: AuditInput[]): Promise<void> {
    if (entries.length === 0) return;
    const rows = entries.map(auditValues);
    const col = (i: number): unknown[] => rows.map((r) => r[i]);
    await this.#db.sql.run(`INSERT INTO audit (${AUDIT_COLUMNS})
      SELECT ${AUDIT_COLUMNS}
      FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
        WITH ORDINALITY AS r (${AUDIT_COLUMNS}, ord) ORDER BY ord`,
    Array.from({ length: 10 }, (_, i) => col(i)));
  }

  async listAudit(q: AuditQuery): Promise<AuditEntry[]> {
    const sql = this.#db.sql;
    const params: unknown[] = [];
    const param = (v: unknown): string => `$${params.push(v)}`;
    const where = auditConditions(q, param);
    if (q.before !== undefined) {
      const anchor = await sql.one<{ ts: number; seq: number }>('SELECT ts, seq FROM audit WHERE id = $1', [q.before]);
      if (anchor === undefined) throw new CloudbridgeError('NOT_FOUND', auditAnchorMissing(q.before), { field: 'before' });
      where.push(`(ts, seq) < (${param(anchor.ts)}::bigint, ${param(anchor.seq)}::bigint)`);
    }
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const rows = await sql.rows<AuditRow>(`SELECT ${AUDIT_COLUMNS} FROM audit ${clause} ORDER BY ts DESC, seq DESC LIMIT ${param(q.limit ?? DEFAULT_LIMIT)}`, params);
    return rows.map(toAuditEntry);
  }

  async pruneAudit(olderThan: number): Promise<number> {
    return this.#db.sql.run('DELETE FROM audit WHERE ts < $1', [olderThan]);
  }
}

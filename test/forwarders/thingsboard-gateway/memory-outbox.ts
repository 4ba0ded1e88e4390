/** An in-memory outbox for unit tests of the pump (the real stores are tested with the forwarder end to end). */
import type { BoundOutbox } from '../../../src/core/forwarder.ts';
import type { NewOutboxRow, OutboxRow } from '../../../src/store/types.ts';

export class MemoryOutbox implements BoundOutbox<OutboxRow> {
  rows: OutboxRow[] = [];
  rejected: Array<{ row: OutboxRow; code: string; error: string }> = [];
  private seq = 0;

  append(rows: Array<Omit<NewOutboxRow, 'forwarder' | 'integrationId'>>): void {
    for (const r of rows) this.rows.push({ ...r, forwarder: 'tb', integrationId: 'i1', seq: ++this.seq, createdAt: Date.now() });
  }

  async read(afterSeq: number, limit: number): Promise<OutboxRow[]> {
    return this.rows.filter((r) => r.seq > afterSeq).slice(0, limit);
  }

  async delete(seqs: number[]): Promise<void> {
    const gone = new Set(seqs);
    this.rows = this.rows.filter((r) => !gone.has(r.seq));
  }

  async reject(seq: number, code: string, error: string): Promise<string | null> {
    const row = this.rows.find((r) => r.seq === seq);
    if (!row) return null;
    this.rejected.push({ row, code, error });
    await this.delete([seq]);
    return `dl-${seq}`;
  }

  async stats(): Promise<{ depth: number; oldestAt: number | null }> {
    return { depth: this.rows.length, oldestAt: this.rows[0]?.createdAt ?? null };
  }

  /** What `expire` was asked, and how many rows it answers it moved. */
  expireCalls: Array<{ olderThan: number; maxRows: number }> = [];
  expireAnswer = 0;

  async expire(opts: { olderThan: number; maxRows: number }): Promise<number> {
    this.expireCalls.push(opts);
    return this.expireAnswer;
  }
}

/** A telemetry row of one point. */
export function point(device: string, ts: number, value: number): Omit<NewOutboxRow, 'forwarder' | 'integrationId'> {
  return { deviceName: device, deviceType: 'sensor', entry: { kind: 'uplink', telemetry: [{ ts, values: { v: value } }], attributes: {} } };
}

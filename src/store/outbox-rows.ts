/**
 * The forwarders' outbox as both SQL stores write and read it (ADR 017): the entries a commit
 * writes for its stored device records, the table's rows and their mapping to OutboxRow, and the
 * dead letter a refused or expired row becomes (and back, for its replay).
 */
import { CloudbridgeError } from '../core/errors.ts';
import type { EntityRecord, KvValue } from '../core/model.ts';
import type { CommitTelemetry, SlotPoint } from './commit-telemetry.ts';
import { decodeJson, encodeJson } from './kv-columns.ts';
import type { NewDeadLetter } from './rows.ts';
import type { NewOutboxRow, OutboxEntry, OutboxRow, OutboxValue } from './types.ts';

export const OUTBOX_COLUMNS = 'seq, forwarder, integration_id, device_name, device_type, entry_json, created_at';
export const OUTBOX_INSERT_COLUMNS = 'forwarder, integration_id, device_name, device_type, entry_json, created_at';
/** Rows a retention pass moves per transaction (bounded memory and lock time). */
export const OUTBOX_EXPIRE_CHUNK = 500;
/** The dead letters' stage and sourceKey prefix of outbox rows. */
const STAGE = 'forward';

export interface OutboxTableRow {
  seq: number;
  forwarder: string;
  integration_id: string;
  device_name: string;
  device_type: string;
  entry_json: string;
  created_at: number;
}

/** A row to insert, its entry already JSON text. */
export interface OutboxInsert {
  forwarder: string;
  integrationId: string;
  deviceName: string;
  deviceType: string;
  entryJson: string;
}

export function toOutboxRow(r: OutboxTableRow): OutboxRow {
  return {
    seq: Number(r.seq), forwarder: r.forwarder, integrationId: r.integration_id, deviceName: r.device_name,
    deviceType: r.device_type, entry: decodeJson<OutboxEntry>(r.entry_json), createdAt: Number(r.created_at),
  };
}

/** A stored value as the gateway API carries it: numbers, booleans, strings, and JSON values parsed. */
export function outboxValue(v: KvValue): OutboxValue {
  return v.value as OutboxValue;
}

/** Checks rows given to appendOutbox (a replayed dead letter, an RPC outcome) and encodes their entries. */
export function outboxInserts(rows: NewOutboxRow[]): OutboxInsert[] {
  return rows.map((r, i) => {
    for (const field of ['forwarder', 'integrationId', 'deviceName', 'deviceType'] as const) {
      if (typeof r[field] !== 'string' || r[field] === '') throw new CloudbridgeError('INTERNAL', `outbox row ${i}: ${field} must be a non-empty string`, { field });
    }
    const kind = (r.entry as { kind?: unknown } | null)?.kind;
    if (kind !== 'uplink' && kind !== 'rpc-reply' && kind !== 'attributes-request') {
      throw new CloudbridgeError('INTERNAL', `outbox row ${i}: entry.kind must be uplink, rpc-reply or attributes-request`, { field: 'entry.kind' });
    }
    return { forwarder: r.forwarder, integrationId: r.integrationId, deviceName: r.deviceName, deviceType: r.deviceType, entryJson: encodeJson(r.entry) };
  });
}

/**
 * The outbox rows of one commit: every stored device record, for every forwarder of the commit,
 * in item then record order. Telemetry carries the ts each point was stored at, so it is read
 * from the commit's telemetry after its points were placed (`rows`, before COMMIT).
 */
export class OutboxCollector<K extends string | number> {
  readonly #forward: string[];
  readonly #integrationId: string;
  readonly #records: Array<{ record: EntityRecord; points: Array<SlotPoint<K>> }> = [];

  constructor(forward: string[], integrationId: string) {
    this.#forward = [...new Set(forward)];
    this.#integrationId = integrationId;
  }

  /** A stored record and the buffered points of its telemetry (same order); assets are not forwarded. */
  add(record: EntityRecord, points: Array<SlotPoint<K>>): void {
    if (record.kind === 'DEVICE') this.#records.push({ record, points });
  }

  /** The rows to insert, once `telemetry` placed every point. */
  rows(telemetry: CommitTelemetry<K>): OutboxInsert[] {
    const out: OutboxInsert[] = [];
    for (const { record, points } of this.#records) {
      for (const entry of entriesOf(record, points, telemetry)) {
        const entryJson = encodeJson(entry);
        for (const forwarder of this.#forward) {
          out.push({ forwarder, integrationId: this.#integrationId, deviceName: record.name, deviceType: record.type, entryJson });
        }
      }
    }
    return out;
  }
}

/**
 * A record's entries: its data (`uplink`, left out when empty and the record carries RPC replies
 * or attribute requests, whose rows name the device anyway), then its RPC replies, then its
 * attribute requests.
 */
function entriesOf<K extends string | number>(r: EntityRecord, points: Array<SlotPoint<K>>, telemetry: CommitTelemetry<K>): OutboxEntry[] {
  const out: OutboxEntry[] = [];
  const replies = r.rpcReplies ?? [];
  const requests = r.attributeRequests ?? [];
  const empty = r.telemetry.length === 0 && r.attributes.length === 0;
  if (!empty || replies.length + requests.length === 0) {
    const byTs = new Map<number, Record<string, OutboxValue>>();
    r.telemetry.forEach((p, i) => {
      const point = points[i];
      const ts = point === undefined ? p.ts : telemetry.storedTs(point);
      let values = byTs.get(ts);
      if (values === undefined) byTs.set(ts, (values = {}));
      values[p.key] = outboxValue(p.value);
    });
    const attributes: Record<string, OutboxValue> = {};
    for (const a of r.attributes) attributes[a.key] = outboxValue(a.value);
    const series = [...byTs].sort(([a], [b]) => a - b).map(([ts, values]) => ({ ts, values }));
    out.push({ kind: 'uplink', telemetry: series, attributes });
  }
  for (const reply of replies) out.push({ kind: 'rpc-reply', id: reply.id, data: (reply.data ?? null) as OutboxValue });
  for (const q of requests) out.push({ kind: 'attributes-request', id: q.id, client: q.client, keys: q.keys });
  return out;
}

/** What a dead letter of a refused or expired row holds as its payload: enough to put it back. */
interface OutboxLetter extends NewOutboxRow {
  seq: number;
  createdAt: number;
}

/** The dead letter (stage `forward`) a refused or expired row becomes. */
export function outboxDeadLetter(row: OutboxRow, errorCode: string, error: string): NewDeadLetter {
  const letter: OutboxLetter = {
    forwarder: row.forwarder, integrationId: row.integrationId, deviceName: row.deviceName, deviceType: row.deviceType,
    entry: row.entry, seq: row.seq, createdAt: row.createdAt,
  };
  return {
    stage: STAGE, errorCode, error, integrationId: row.integrationId, sourceKey: `${STAGE}:${row.forwarder}:${row.seq}`,
    payload: new TextEncoder().encode(encodeJson(letter)),
    metadata: { forwarder: row.forwarder, deviceName: row.deviceName, deviceType: row.deviceType, seq: String(row.seq), kind: row.entry.kind },
    receivedAt: row.createdAt,
  };
}

/** The row a `forward` dead letter holds (its payload, as outboxDeadLetter wrote it), to append again. */
export function outboxRowOfDeadLetter(payload: Uint8Array): NewOutboxRow {
  let letter: Partial<OutboxLetter>;
  try {
    letter = decodeJson<Partial<OutboxLetter>>(new TextDecoder().decode(payload));
  } catch {
    throw new CloudbridgeError('PAYLOAD_INVALID', 'the dead letter\'s payload is not the JSON of an outbox row');
  }
  const row = {
    forwarder: letter.forwarder, integrationId: letter.integrationId, deviceName: letter.deviceName, deviceType: letter.deviceType, entry: letter.entry,
  } as NewOutboxRow;
  try {
    outboxInserts([row]);
  } catch (err) {
    throw new CloudbridgeError('PAYLOAD_INVALID', `the dead letter's payload is not an outbox row: ${(err as Error).message}`);
  }
  return row;
}

/** Why retention moved a row: its age, or the outbox holding more than maxRows. */
export function retentionReason(forwarder: string, cause: 'age' | 'rows', opts: { olderThan: number; maxRows: number }): string {
  return cause === 'age'
    ? `forwarder "${forwarder}" did not deliver this row before the outbox retention (rows created before ${new Date(opts.olderThan).toISOString()} are moved)`
    : `the outbox of forwarder "${forwarder}" held more than its maximum of ${opts.maxRows} rows; the oldest are moved`;
}

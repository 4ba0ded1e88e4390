/**
 * Outbox rows → the gateway API's publishes (reference §6.3): one `v1/gateway/telemetry` per
 * batch (`{device: [{ts, values}, ...]}`, devices merged, each device's points in seq order),
 * one `v1/gateway/attributes` (`{device: {...}}`, later rows win), one `v1/gateway/rpc` per RPC
 * reply and one `v1/gateway/attributes/request` per attribute request, and `v1/gateway/connect`
 * for each device not yet connected in the session. Each publish knows the rows it carries.
 */
import type { OutboxRow, OutboxValue } from '../../store/types.ts';

export interface GatewayPublish {
  topic: string;
  payload: string;
  /** The rows this publish carries (a connect carries none: it is repeated when needed). */
  rows: OutboxRow[];
  /** Telemetry points carried (key values). */
  points: number;
}

export function buildPublishes(rows: OutboxRow[], connected: ReadonlySet<string>): { connects: GatewayPublish[]; data: GatewayPublish[] } {
  const connects = new Map<string, GatewayPublish>();
  const telemetry: Record<string, Array<{ ts: number; values: Record<string, OutboxValue> }>> = {};
  const telemetryRows: OutboxRow[] = [];
  const attributes: Record<string, Record<string, OutboxValue>> = {};
  const attributeRows: OutboxRow[] = [];
  const singles: GatewayPublish[] = [];
  let points = 0;
  for (const row of rows) {
    const device = row.deviceName;
    if (!connected.has(device) && !connects.has(device)) {
      connects.set(device, { topic: 'v1/gateway/connect', payload: JSON.stringify({ device, type: row.deviceType }), rows: [], points: 0 });
    }
    const e = row.entry;
    if (e.kind === 'uplink') {
      if (e.telemetry.length > 0) {
        (telemetry[device] ??= []).push(...e.telemetry);
        for (const t of e.telemetry) points += Object.keys(t.values).length;
        telemetryRows.push(row);
      }
      if (Object.keys(e.attributes).length > 0) {
        attributes[device] = { ...attributes[device], ...e.attributes };
        attributeRows.push(row);
      }
    } else if (e.kind === 'rpc-reply') {
      singles.push({ topic: 'v1/gateway/rpc', payload: JSON.stringify({ device, id: e.id, data: e.data }), rows: [row], points: 0 });
    } else {
      const keys = e.keys.length === 1 ? { key: e.keys[0] } : { keys: e.keys };
      singles.push({ topic: 'v1/gateway/attributes/request', payload: JSON.stringify({ id: e.id, device, client: e.client, ...keys }), rows: [row], points: 0 });
    }
  }
  const data: GatewayPublish[] = [];
  if (telemetryRows.length > 0) data.push({ topic: 'v1/gateway/telemetry', payload: JSON.stringify(telemetry), rows: telemetryRows, points });
  if (attributeRows.length > 0) data.push({ topic: 'v1/gateway/attributes', payload: JSON.stringify(attributes), rows: attributeRows, points: 0 });
  data.push(...singles);
  return { connects: [...connects.values()], data };
}

/** Telemetry points of rows (for the delivered counter). */
export function pointsOf(rows: OutboxRow[]): number {
  let n = 0;
  for (const r of rows) if (r.entry.kind === 'uplink') for (const t of r.entry.telemetry) n += Object.keys(t.values).length;
  return n;
}

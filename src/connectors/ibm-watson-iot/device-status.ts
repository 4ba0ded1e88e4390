/**
 * Watson IoT device status messages (`iot-2/type/<type>/id/<id>/mon`) as device attributes.
 *
 * The platform publishes one when a device connects or disconnects, a JSON object whose `Action`
 * is `Connect` or `Disconnect` and whose `Time` is an ISO timestamp (besides client address,
 * client id, protocol, and byte counts on Disconnect). It becomes the device's `connected`
 * attribute (client scope), with `lastConnectTime` or `lastDisconnectTime` (epoch ms) when `Time`
 * is readable. A status message without a readable Action is left to the uplink converter.
 */
import type { EntityRecord, KvValue } from '../../core/model.ts';

export interface DeviceStatus {
  connected: boolean;
  /** Epoch ms of the connect or disconnect, when given. */
  at: number | null;
}

function field(obj: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(obj).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : obj[key];
}

/** The status a `mon` payload reports, or null when it is not a Connect/Disconnect notice. */
export function readDeviceStatus(payload: Uint8Array): DeviceStatus | null {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8'));
  } catch {
    return null;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  const action = field(body as Record<string, unknown>, 'action');
  if (typeof action !== 'string') return null;
  const kind = action.toLowerCase();
  if (kind !== 'connect' && kind !== 'disconnect') return null;
  const time = field(body as Record<string, unknown>, 'time');
  const at = typeof time === 'string' ? Date.parse(time) : NaN;
  return { connected: kind === 'connect', at: Number.isFinite(at) ? at : null };
}

/** The device name a status is stored on: `${deviceId}` and `${deviceType}` replaced. */
export function statusDeviceName(pattern: string, deviceType: string, deviceId: string): string {
  return pattern.replaceAll('${deviceId}', deviceId).replaceAll('${deviceType}', deviceType);
}

export function statusRecord(status: DeviceStatus, name: string, deviceType: string): EntityRecord {
  const attributes: Array<{ key: string; value: KvValue }> = [{ key: 'connected', value: { type: 'bool', value: status.connected } }];
  if (status.at !== null) attributes.push({ key: status.connected ? 'lastConnectTime' : 'lastDisconnectTime', value: { type: 'long', value: status.at } });
  return { kind: 'DEVICE', name, type: deviceType, attributes, telemetry: [] };
}

/**
 * The bench message and decoder, shared by every bench and by the helper processes (which must not
 * load Cloudbridge: this module imports nothing of it).
 */
import type { MqttClient } from 'mqtt';

/** A ThingsBoard-style decoder: 3 telemetry points with the payload's ts and 1 attribute per message. */
export const BENCH_DECODER = `var d = decodeToJson(payload);
return { deviceName: d.device, deviceType: 'thermostat',
  attributes: { model: d.model },
  telemetry: { ts: d.ts, values: { temperature: d.temperature, humidity: d.humidity, seq: d.seq } } };`;

/** A JSON message from one of 100 devices: 212 B on average over messages 0..199,999 (the issue's ~210 B). */
export function benchPayload(i: number, ts: number): string {
  return JSON.stringify({
    device: `sensor-${i % 100}`, seq: i, ts, model: 'TH-1000 rev B', firmware: '1.2.3-build.4567',
    temperature: 20 + (i % 100) / 10, humidity: 40 + (i % 50), battery: 97, rssi: -40 - (i % 50), location: 'Building 7, floor 3, room 12, east',
  });
}

/** Which ts a published message carries: 1_700_000_000_000 + its index (unique, repeatable) or the time it is sent. */
export type PayloadTs = 'index' | 'now';

/**
 * The ts of message i. `now`: the send time, but at least 1 ms after the same device's last one (a
 * late timer tick sends a burst, and two messages of one device with one ts would store one point
 * per key, the later overwriting the earlier).
 */
export function payloadStamper(kind: PayloadTs): (i: number) => number {
  if (kind === 'index') return (i) => 1_700_000_000_000 + i;
  const last = new Map<number, number>();
  return (i) => {
    const ts = Math.max(Date.now(), (last.get(i % 100) ?? 0) + 1);
    last.set(i % 100, ts);
    return ts;
  };
}

/**
 * Publishes messages first..first+n-1 (QoS 1) to `${topicPrefix}/${i % 100}` on a connected
 * client, at most 2000 awaiting their PUBACK at a time. The caller owns the client.
 */
export async function preloadMqtt(client: MqttClient, topicPrefix: string, n: number, opts: { first?: number; ts?: PayloadTs } = {}): Promise<void> {
  const window = 2000;
  const first = opts.first ?? 0;
  const stamp = payloadStamper(opts.ts ?? 'index');
  let batch: Array<Promise<unknown>> = [];
  for (let i = first; i < first + n; i++) {
    batch.push(client.publishAsync(`${topicPrefix}/${i % 100}`, benchPayload(i, stamp(i)), { qos: 1 }));
    if (batch.length >= window) {
      await Promise.all(batch);
      batch = [];
    }
  }
  await Promise.all(batch);
}


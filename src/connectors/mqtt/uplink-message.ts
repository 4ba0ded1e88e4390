/**
 * Turns a received MQTT PUBLISH into an UplinkMessage.
 *
 * MQTT messages carry no id that survives redelivery, so `sourceKey` is a content hash
 * (sha-256 of topic, NUL, payload). A legitimately repeated payload must still be stored, so a
 * first delivery only records its key (`record-only`); a message the broker flags as a redelivery
 * (DUP) or replays as a retained message is checked against the recorded keys (`check`).
 */
import { createHash } from 'node:crypto';
import type { IPublishPacket } from 'mqtt';
import type { UplinkMessage } from '../../core/model.ts';

const NUL = Buffer.from([0]);

export function contentSourceKey(topic: string, payload: Uint8Array): string {
  return createHash('sha256').update(topic).update(NUL).update(payload).digest('hex');
}

/** MQTT 5 user properties as string metadata; a repeated property becomes a JSON array string. */
export function userPropertiesMetadata(packet: IPublishPacket): Record<string, string> {
  const props = packet.properties?.userProperties;
  const out: Record<string, string> = {};
  if (!props) return out;
  for (const [key, value] of Object.entries(props)) {
    out[key] = Array.isArray(value) ? JSON.stringify(value.map(String)) : String(value);
  }
  return out;
}

function payloadBytes(payload: IPublishPacket['payload']): Uint8Array {
  return typeof payload === 'string' ? Buffer.from(payload) : payload;
}

export function toUplinkMessage(packet: IPublishPacket, receivedAt: number): UplinkMessage {
  const topic = packet.topic;
  const payload = payloadBytes(packet.payload);
  return {
    payload,
    // `topic` wins over a user property of the same name.
    metadata: { ...userPropertiesMetadata(packet), topic },
    sourceKey: contentSourceKey(topic, payload),
    receivedAt,
    dedupe: packet.dup || packet.retain ? 'check' : 'record-only',
  };
}

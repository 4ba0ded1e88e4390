/**
 * A received Watson IoT PUBLISH → UplinkMessage: the MQTT connector's mapping (content-hash
 * sourceKey, DUP and retained messages checked against it) plus the parts of the topic as
 * metadata: `deviceType`, `deviceId`, `eventId`, `format` and `topic` for an event; for a device
 * status message with monitoring on, the `connected` attribute as ready records (device-status.ts).
 */
import type { IPublishPacket } from 'mqtt';
import type { UplinkMessage } from '../../core/model.ts';
import { toUplinkMessage } from '../mqtt/index.ts';
import { readDeviceStatus, statusDeviceName, statusRecord } from './device-status.ts';
import { parseTopic } from './topics.ts';

export interface WatsonUplinkOptions {
  /** Turn status messages into the `connected` attribute (else they go to the converter like events). */
  deviceStatus: boolean;
  statusDeviceName: string;
}

export function watsonUplinkBuilder(opts: WatsonUplinkOptions): (packet: IPublishPacket, receivedAt: number) => UplinkMessage {
  return (packet, receivedAt) => {
    const base = toUplinkMessage(packet, receivedAt);
    const topic = parseTopic(packet.topic);
    if (topic === null) return base;
    const metadata: Record<string, string> = { ...base.metadata, deviceType: topic.deviceType, deviceId: topic.deviceId };
    if (topic.kind === 'event') return { ...base, metadata: { ...metadata, eventId: topic.eventId, format: topic.format } };
    const status = opts.deviceStatus ? readDeviceStatus(base.payload) : null;
    if (status === null) return { ...base, metadata: { ...metadata, messageType: 'status' } };
    const name = statusDeviceName(opts.statusDeviceName, topic.deviceType, topic.deviceId);
    return { ...base, metadata: { ...metadata, messageType: 'status' }, records: [statusRecord(status, name, topic.deviceType)] };
  };
}

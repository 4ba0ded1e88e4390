/**
 * Turns a received Pub/Sub message into an UplinkMessage: the data as bytes (never parsed), the
 * message id as dedupe key, the publish time as the source timestamp (the time of telemetry the
 * converter returns without ts), and metadata for the converter: every attribute under its own
 * name, then messageId, pubSubMsgId (the same id under ThingsBoard's name, so its converters run
 * unchanged), publishTime (epoch ms), orderingKey (when set) and deliveryAttempt (when the
 * subscription has a dead-letter policy). These system keys win over attributes of the same name.
 */
import type { UplinkMessage } from '../../core/model.ts';
import type { PubSubReceivedMessage } from './pubsub-api.ts';

export function toUplinkMessage(m: PubSubReceivedMessage, receivedAt: number): UplinkMessage {
  const metadata: Record<string, string> = { ...m.attributes };
  metadata.messageId = m.id;
  metadata.pubSubMsgId = m.id;
  const published = m.publishTime.getTime();
  if (Number.isFinite(published)) metadata.publishTime = String(published);
  if (m.orderingKey) metadata.orderingKey = m.orderingKey;
  if (m.deliveryAttempt > 0) metadata.deliveryAttempt = String(m.deliveryAttempt);
  const message: UplinkMessage = { payload: m.data, metadata, sourceKey: m.id, receivedAt, dedupe: 'check' };
  if (Number.isFinite(published) && published > 0) message.sourceTimestamp = published;
  return message;
}

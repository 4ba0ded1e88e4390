/**
 * Downlink → Publish to `downlinkTopic`. The data is sent as it is (the bytes the encoder
 * returned, whatever its contentType); the encoder's metadata become message attributes, except
 * `orderingKey`, which sets the message's ordering key instead. Attribute limits are Pub/Sub's:
 * at most 100 attributes, keys up to 256 bytes not starting with `goog`, values up to 1024 bytes.
 */
import { CloudbridgeError } from '../../core/errors.ts';
import type { EncodedDownlink } from '../../core/model.ts';
import type { PublishRequest } from './pubsub-api.ts';

export const MAX_ATTRIBUTES = 100;
const MAX_KEY_BYTES = 256;
const MAX_VALUE_BYTES = 1024;
const MAX_ORDERING_KEY_BYTES = 1024;

function fail(message: string): CloudbridgeError {
  return new CloudbridgeError('DOWNLINK_FAILED', message, { field: 'downlinkConverter' }, { retryable: false });
}

export function buildPublishRequest(msg: EncodedDownlink, topic: string): PublishRequest {
  const attributes: Record<string, string> = {};
  for (const [key, value] of Object.entries(msg.metadata)) {
    if (key === 'orderingKey') continue;
    if (key.toLowerCase().startsWith('goog')) throw fail(`downlink metadata "${key}" starts with "goog", which Pub/Sub reserves: rename it in the downlink converter`);
    if (Buffer.byteLength(key) > MAX_KEY_BYTES) throw fail(`downlink metadata key "${key.slice(0, 40)}…" is longer than ${MAX_KEY_BYTES} bytes, the most Pub/Sub allows`);
    if (Buffer.byteLength(value) > MAX_VALUE_BYTES) throw fail(`downlink metadata "${key}" is ${Buffer.byteLength(value)} bytes; Pub/Sub allows ${MAX_VALUE_BYTES} per attribute value: put large values in the data`);
    attributes[key] = value;
  }
  const count = Object.keys(attributes).length;
  if (count > MAX_ATTRIBUTES) throw fail(`the downlink has ${count} attributes but Pub/Sub allows at most ${MAX_ATTRIBUTES}: return fewer metadata keys from the downlink converter`);
  if (msg.data.length === 0 && count === 0) throw fail('the downlink converter returned empty data and no metadata: Pub/Sub needs data or at least one attribute');
  const req: PublishRequest = { topic, data: Buffer.from(msg.data), attributes };
  const orderingKey = msg.metadata.orderingKey;
  if (orderingKey) {
    if (Buffer.byteLength(orderingKey) > MAX_ORDERING_KEY_BYTES) throw fail(`downlink metadata orderingKey is longer than ${MAX_ORDERING_KEY_BYTES} bytes, the most Pub/Sub allows`);
    req.orderingKey = orderingKey;
  }
  return req;
}

/**
 * Downlink → SendMessage. The body is the encoded data as UTF-8 text (JSON, TEXT), or base64
 * for BINARY data (with message attribute contentEncoding=base64). The encoder's metadata become
 * String message attributes, except these keys, which set SendMessage parameters instead:
 *   messageGroupId (FIFO; default metadata.deviceName), messageDeduplicationId (FIFO; default a
 *   random id per downlink), delaySeconds (standard queues).
 */
import { randomUUID } from 'node:crypto';
import { CloudbridgeError } from '../../core/errors.ts';
import type { EncodedDownlink } from '../../core/model.ts';
import type { SendRequest, SqsMessageAttribute } from './sqs-api.ts';

/** SQS accepts at most 10 message attributes per message. */
export const MAX_MESSAGE_ATTRIBUTES = 10;
const PARAMETER_KEYS = new Set(['messageGroupId', 'messageDeduplicationId', 'delaySeconds']);

function fail(message: string): CloudbridgeError {
  return new CloudbridgeError('DOWNLINK_FAILED', message, { field: 'downlinkConverter' }, { retryable: false });
}

function bodyOf(msg: EncodedDownlink): { body: string; base64: boolean } {
  if (msg.contentType !== 'BINARY') {
    try {
      return { body: new TextDecoder('utf-8', { fatal: true }).decode(msg.data), base64: false };
    } catch {
      // Not valid UTF-8: sent as base64 like BINARY data.
    }
  }
  return { body: Buffer.from(msg.data).toString('base64'), base64: true };
}

export function buildSendRequest(msg: EncodedDownlink, queueUrl: string, fifo: boolean): SendRequest {
  const { body, base64 } = bodyOf(msg);
  if (body.length === 0) throw fail('the downlink converter returned empty data: SQS does not accept an empty message body');
  const attributes: Record<string, SqsMessageAttribute> = {};
  for (const [key, value] of Object.entries(msg.metadata)) {
    if (PARAMETER_KEYS.has(key)) continue;
    if (value === '') throw fail(`downlink metadata "${key}" is empty: SQS does not accept empty message attribute values; leave the key out instead`);
    attributes[key] = { dataType: 'String', stringValue: value };
  }
  if (base64) attributes.contentEncoding = { dataType: 'String', stringValue: 'base64' };
  const count = Object.keys(attributes).length;
  if (count > MAX_MESSAGE_ATTRIBUTES) {
    throw fail(`the downlink has ${count} message attributes (${Object.keys(attributes).join(', ')}) but SQS allows at most ${MAX_MESSAGE_ATTRIBUTES}: return fewer metadata keys from the downlink converter`);
  }
  const req: SendRequest = { queueUrl, body, attributes };
  if (fifo) {
    const group = msg.metadata.messageGroupId || msg.metadata.deviceName;
    if (!group) throw fail('the downlink queue is a FIFO queue: the downlink converter must return metadata.messageGroupId (or metadata.deviceName)');
    req.messageGroupId = group;
    req.messageDeduplicationId = msg.metadata.messageDeduplicationId || randomUUID();
  } else if (msg.metadata.delaySeconds !== undefined) {
    const delay = Number(msg.metadata.delaySeconds);
    if (!Number.isInteger(delay) || delay < 0 || delay > 900) throw fail(`downlink metadata delaySeconds "${msg.metadata.delaySeconds}" must be an integer from 0 to 900`);
    req.delaySeconds = delay;
  }
  return req;
}

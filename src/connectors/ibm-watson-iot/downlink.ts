/**
 * An EncodedDownlink → the Watson IoT command it publishes. The topic is fixed,
 * `iot-2/type/<deviceType>/id/<deviceId>/cmd/<commandId>/fmt/<format>`, its parts taken from the
 * encoder's metadata: `deviceType`, `deviceId`, `commandId`, `format`, or ThingsBoard's keys
 * `device_type`, `device_id`, `command_id` (so ThingsBoard encoders run unchanged). Without a
 * format, the content type gives one (JSON → json, TEXT → text, BINARY → bin). Each part is checked
 * before anything is published: a missing or unusable one is a DOWNLINK_FAILED naming the key.
 */
import { CloudbridgeError } from '../../core/errors.ts';
import type { ContentType, EncodedDownlink } from '../../core/model.ts';
import { commandTopic, topicPartProblem } from './topics.ts';

/** Each part: our key and ThingsBoard's. */
const PARTS = [
  ['deviceType', 'device_type'],
  ['deviceId', 'device_id'],
  ['commandId', 'command_id'],
  ['format', 'format'],
] as const;

const FORMAT_OF: Record<ContentType, string> = { JSON: 'json', TEXT: 'text', BINARY: 'bin' };

export const COMMAND_TOPIC_PATTERN = 'iot-2/type/${deviceType}/id/${deviceId}/cmd/${commandId}/fmt/${format}';

function fail(message: string, details: Record<string, unknown>): CloudbridgeError {
  return new CloudbridgeError('DOWNLINK_FAILED', message, { field: 'downlinkConverter', ...details }, { retryable: false });
}

/** The command topic for `msg`, or DOWNLINK_FAILED (not retryable) naming the key to fix. */
export function watsonCommandTopic(msg: EncodedDownlink): string {
  const values: string[] = [];
  const missing: string[] = [];
  for (const [ours, theirs] of PARTS) {
    const value = msg.metadata[ours] ?? msg.metadata[theirs] ?? (ours === 'format' ? FORMAT_OF[msg.contentType] : undefined);
    if (value === undefined || value === '') {
      missing.push(ours === theirs ? `"${ours}"` : `"${ours}" (or "${theirs}")`);
      continue;
    }
    const problem = topicPartProblem(value, false);
    if (problem) {
      const key = msg.metadata[ours] !== undefined ? ours : theirs;
      throw fail(`the downlink converter returned metadata.${key} "${value}", which cannot be part of the Watson IoT command topic ${COMMAND_TOPIC_PATTERN}: ${problem}`, { key });
    }
    values.push(value);
  }
  if (missing.length > 0) {
    throw fail(`a Watson IoT command goes to ${COMMAND_TOPIC_PATTERN}: the downlink converter must return metadata ${missing.join(', ')}`, { missingKeys: missing });
  }
  const [deviceType = '', deviceId = '', commandId = '', format = ''] = values;
  return commandTopic(deviceType, deviceId, commandId, format);
}

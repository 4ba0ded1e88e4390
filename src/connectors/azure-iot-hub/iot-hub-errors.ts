/**
 * IoT Hub errors translated at the edge (on `azure-common`'s `translateAzureError`): cloud-to-device
 * refusals (unknown device, the device's queue full at 50, message too large), registry answers
 * (twin not found, etag mismatch), and the rights the hub's policy needs for what failed
 * (ServiceConnect; RegistryRead / RegistryWrite for twins).
 */
import { CloudbridgeError } from '../../core/errors.ts';
import { translateAzureError } from '../azure-common/index.ts';

export type IotHubOperation = 'c2d' | 'feedback' | 'twin-read' | 'twin-write' | 'redirect' | 'open';

export interface IotHubErrorContext {
  host: string;
  keyName: string | undefined;
  operation: IotHubOperation;
  deviceId?: string | undefined;
}

const WORDS: Record<IotHubOperation, { doing: string; rights: string }> = {
  c2d: { doing: 'sending a cloud-to-device message', rights: 'ServiceConnect' },
  feedback: { doing: 'receiving cloud-to-device feedback', rights: 'ServiceConnect' },
  'twin-read': { doing: 'reading a device twin', rights: 'RegistryRead' },
  'twin-write': { doing: 'updating a device twin\'s desired properties', rights: 'RegistryWrite (and RegistryRead)' },
  redirect: { doing: 'asking the hub for its built-in endpoint', rights: 'ServiceConnect' },
  open: { doing: 'connecting', rights: 'ServiceConnect (RegistryRead and RegistryWrite for twins)' },
};

function nameOf(err: unknown): string {
  return err instanceof Error ? err.name : '';
}

export function translateIotHubError(err: unknown, c: IotHubErrorContext): CloudbridgeError {
  const w = WORDS[c.operation];
  const device = c.deviceId === undefined ? 'the device' : `device "${c.deviceId}"`;
  const downlink = c.operation === 'c2d' || c.operation === 'twin-write';
  const fail = (message: string, retryable: boolean, extra: Record<string, unknown> = {}): CloudbridgeError =>
    new CloudbridgeError(downlink ? 'DOWNLINK_FAILED' : 'NOT_FOUND', message, { operation: w.doing, ...(c.deviceId === undefined ? {} : { deviceId: c.deviceId }), ...extra }, { cause: err, retryable });
  return translateAzureError(err, {
    connector: 'IoT Hub',
    field: 'connectionString',
    operation: w.doing,
    entity: c.deviceId === undefined ? `IoT Hub ${c.host}` : `${device} of ${c.host}`,
    host: c.host,
    keyName: c.keyName,
    rights: w.rights,
    details: c.deviceId === undefined ? {} : { deviceId: c.deviceId },
    cases: ({ code, detail }) => {
      const name = nameOf(err) || code;
      if (name === 'DeviceNotFoundError' || (downlink && code === 'amqp:not-found')) {
        return fail(`IoT Hub ${c.host} has no ${device} registered (${detail}): register it in the hub, or return the hub's device id as metadata.deviceId from the downlink converter.`, false, { field: 'downlinkConverter' });
      }
      if (name === 'DeviceMaximumQueueDepthExceededError' || (downlink && code === 'amqp:resource-limit-exceeded')) {
        return fail(`The cloud-to-device queue of ${device} is full (IoT Hub keeps at most 50 messages per device; ${detail}): the device is offline or not completing its messages. Sending works again once it takes some or they expire (expirySeconds).`, true);
      }
      if (name === 'MessageTooLargeError' || code === 'amqp:link:message-size-exceeded' || /too large|size .*exceeds/i.test(detail)) {
        return fail(`IoT Hub refused the message to ${device} as too large (${detail}): a cloud-to-device message carries at most 64 KiB, a twin's desired properties at most 32 KiB; make the downlink converter's output smaller.`, false, { field: 'downlinkConverter' });
      }
      if (name === 'InvalidEtagError') {
        return fail(`The twin of ${device} changed while Cloudbridge updated it (etag mismatch; ${detail}): the downlink is tried again.`, true);
      }
      return undefined;
    },
  });
}

/** The app config of the azure-iot-hub end-to-end tests: the IoT Hub double and converters keyed on metadata.deviceId. */
import { integrationYaml } from '../aws-common/fixtures.ts';
import { KEYS, SEQ_DECODER } from '../aws-kinesis/e2e-fixtures.ts';
import type { AzureDouble } from '../../peers/azure/index.ts';

export { assertEachOnce, storedSeqs } from '../aws-kinesis/e2e-fixtures.ts';

/** Device = the sending IoT Hub device; telemetry WITHOUT ts (a duplicate shows as a second point). */
export const D2C_DECODER = `
var data = decodeToJson(payload);
return { deviceName: metadata.deviceId, deviceType: 'sensor', telemetry: { seq: data.seq } };
`;

/** RPCs as {method, params}; a shared-attributes update as the bare attributes (the twin's desired properties). */
export const IOT_ENCODER = `
if (msgType === 'ATTRIBUTES_UPDATED') return { contentType: 'JSON', data: JSON.stringify(msg), metadata: {} };
return { contentType: 'JSON', data: JSON.stringify({ method: msg.method, params: msg.params }), metadata: { command: String(msg.method) } };
`;

export function iotIntegrationYaml(azure: AzureDouble, extra: Record<string, unknown> = {}): string {
  return integrationYaml({
    type: 'azure-iot-hub', name: 'hub', decoder: D2C_DECODER, encoder: IOT_ENCODER,
    config: {
      connectionString: azure.iotHub?.connectionString() ?? '',
      consumerGroup: 'cloudbridge',
      startPosition: 'earliest',
      maxWaitTimeMs: 100,
      ownershipExpirationSeconds: 6,
      ...extra,
    },
  });
}

/** Devices `dev-0` … `dev-63` (the SEQ_DECODER's devices) send `{"k":…,"seq":…}`; partitioned by device id. */
export const SEQ_DEVICES = Array.from({ length: KEYS }, (_, k) => `dev-${k}`);

/** An app whose integration `hub` stores `seq` per SEQ_DECODER device (exactly-once checks by storedSeqs). */
export function iotSeqIntegrationYaml(azure: AzureDouble, extra: Record<string, unknown> = {}): string {
  return integrationYaml({
    type: 'azure-iot-hub', name: 'hub', decoder: SEQ_DECODER, encoder: IOT_ENCODER,
    config: { connectionString: azure.iotHub?.connectionString() ?? '', consumerGroup: 'cloudbridge', startPosition: 'earliest', maxWaitTimeMs: 100, ownershipExpirationSeconds: 6, ...extra },
  });
}

/** Device-to-cloud messages for seq in [from, to), each from device `dev-<seq % 64>`. */
export function sendSeqs(azure: AzureDouble, from: number, to: number): void {
  for (let seq = from; seq < to; seq++) azure.hooks.iotHub.sendD2c(`dev-${seq % KEYS}`, { body: { k: seq % KEYS, seq } });
}

/** Sends rounds of `round` seqs (default 64) every 50 ms until stopped; resolves with how many were sent. */
export function keepSending(azure: AzureDouble, from = 0, round = 64): { stop(): Promise<number> } {
  let next = from;
  let running = true;
  const loop = (async () => {
    while (running) {
      sendSeqs(azure, next, next + round);
      next += round;
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return { stop: async () => { running = false; await loop; return next; } };
}

/** The app config of the azure-iot-hub end-to-end tests: the IoT Hub double and converters keyed on metadata.deviceId. */
import { integrationYaml } from '../aws-common/fixtures.ts';
import type { AzureDouble } from '../../peers/azure/index.ts';

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

/**
 * The `azure-iot-hub` connector: device-to-cloud from the hub's built-in endpoint (the Event Hubs
 * reader), cloud-to-device downlinks with feedback as their final outcome, device twins.
 */
import { configCheckFailure, type CheckResult, type ConnectorDefinition } from '../../core/connector.ts';
import { sdkApiFor as eventHubsApiFor } from '../azure-event-hubs/index.ts';
import { IotHubConfigSpec, resolveIotHubConfig, type ResolvedIotHubConfig } from './config-spec.ts';
import { checkIotHubConnection } from './connection-check.ts';
import { IOT_HUB_GUIDE } from './guide.ts';
import type { IotHubApi } from './iot-hub-api.ts';
import { IotHubSource } from './iot-hub-source.ts';
import { IOT_HUB_PITFALLS } from './pitfalls.ts';
import { validateIotHubConfig } from './validate.ts';

/** An IoT Hub client on `azure-iothub`, imported here on first use, never when the plugin loads. */
export async function sdkApiFor(c: Pick<ResolvedIotHubConfig, 'connectionString'>): Promise<IotHubApi> {
  const { SdkIotHubApi } = await import('./sdk-iot-hub-api.ts');
  return new SdkIotHubApi({ connectionString: c.connectionString });
}

export const azureIotHubConnector: ConnectorDefinition<typeof IotHubConfigSpec> = {
  type: 'azure-iot-hub',
  title: 'Azure IoT Hub',
  description: 'Reads device-to-cloud messages from an Azure IoT Hub\'s built-in endpoint (found through the hub\'s own redirect, or given) with the Event Hubs reader: partitions shared by the instances on one database, each checkpoint committed with its data, the device id in metadata.deviceId with the IoT Hub system properties. Sends cloud-to-device downlinks (azure-iothub Client.send, ack full) and records each one\'s final outcome from the hub\'s feedback: delivered, expired, rejected, purged or deliveryCountExceeded. ATTRIBUTES_UPDATED downlinks patch the device twin\'s desired properties; the twins\' reported properties are stored as client attributes on demand (readTwin action) or periodically (twinSyncIntervalSeconds).',
  configSpec: IotHubConfigSpec,
  capabilities: { downlink: true, redelivery: 'checkpoint' },
  validate: (config) => validateIotHubConfig(config),
  create(config, ctx) {
    const c = resolveIotHubConfig(config);
    return new IotHubSource({ config: c, createApi: () => sdkApiFor(c), createEventHubsApi: eventHubsApiFor }, ctx);
  },
  async testConnection(config, signal): Promise<CheckResult> {
    try {
      validateIotHubConfig(config);
    } catch (err) {
      return configCheckFailure(err);
    }
    const c = resolveIotHubConfig(config);
    return checkIotHubConnection(c, await sdkApiFor(c), eventHubsApiFor, signal);
  },
  pitfalls: IOT_HUB_PITFALLS,
  guide: IOT_HUB_GUIDE,
};

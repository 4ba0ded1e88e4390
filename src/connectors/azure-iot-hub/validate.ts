/** Cross-field rules of the `azure-iot-hub` config: warnings for what works but is likely a mistake, CONFIG_INVALID naming the field for what cannot work. */
import { CloudbridgeError } from '../../core/errors.ts';
import { expectNamespaceString, parseAzureConnectionString, type AzureConnectionString } from '../azure-common/index.ts';
import { validateEventHubsConfig } from '../azure-event-hubs/index.ts';
import type { IotHubConfig } from './config-spec.ts';

const PORTAL_HINT = 'in the Azure portal: IoT Hub → Security settings → Shared access policies → a policy with ServiceConnect (RegistryRead/RegistryWrite for twins) → "Primary connection string"';
const ENDPOINT_HINT = 'in the Azure portal: IoT Hub → Hub settings → Built-in endpoints → "Event Hub-compatible endpoint"';

function invalid(field: string, message: string): CloudbridgeError {
  return new CloudbridgeError('CONFIG_INVALID', message, { field });
}

/** The IoT Hub service string, or CONFIG_INVALID saying what was given instead and where the right one is. */
export function expectIotHubString(text: string): AzureConnectionString {
  const c = parseAzureConnectionString(text);
  if (c.kind === 'iot-central') {
    throw invalid('connectionString', `connectionString names an IoT Central application (${c.host}): IoT Central hides its IoT Hub. Export its data to an Event Hub (IoT Central → Data export) and read that with the azure-event-hubs connector`);
  }
  if (c.kind === 'device') {
    throw invalid('connectionString', `connectionString is a device connection string (DeviceId=${c.deviceId ?? ''}): that is one device's credential and cannot read the hub or send to other devices. Use the hub's service connection string: ${PORTAL_HINT}`);
  }
  if (c.kind === 'namespace') {
    throw invalid('connectionString', `connectionString is an Event Hubs-style string (Endpoint=sb://${c.host}): give the IoT Hub's own string (HostName=<hub>.azure-devices.net;...) here, ${PORTAL_HINT}; the built-in endpoint's string goes in eventHubCompatibleConnectionString if at all`);
  }
  if (c.kind !== 'iot-hub') {
    throw invalid('connectionString', `connectionString is not an IoT Hub connection string: it looks like HostName=<hub>.azure-devices.net;SharedAccessKeyName=<policy>;SharedAccessKey=<key> (${PORTAL_HINT})`);
  }
  if (!c.keyName || !c.hasKey) {
    throw invalid('connectionString', `connectionString lacks ${c.keyName ? 'SharedAccessKey' : 'SharedAccessKeyName'}: copy the whole connection string of a shared access policy (${PORTAL_HINT})`);
  }
  return c;
}

/** Cross-field rules; returns warnings, throws CONFIG_INVALID. */
export function validateIotHubConfig(config: IotHubConfig): string[] {
  const cs = expectIotHubString(config.connectionString);
  const warnings: string[] = [];
  if (config.eventHubCompatibleConnectionString !== undefined) {
    const ep = expectNamespaceString(config.eventHubCompatibleConnectionString, { field: 'eventHubCompatibleConnectionString', service: 'The built-in endpoint', portalHint: ENDPOINT_HINT });
    if (!ep.entityPath) throw invalid('eventHubCompatibleConnectionString', `eventHubCompatibleConnectionString has no EntityPath: copy the whole "Event Hub-compatible endpoint" (${ENDPOINT_HINT}), which ends in ;EntityPath=<name>`);
  }
  // The reading fields are the Event Hubs ones: same rules (start position, consumer group).
  const reading = validateEventHubsConfig({
    connectionString: config.eventHubCompatibleConnectionString ?? 'Endpoint=sb://placeholder/;SharedAccessKeyName=p;SharedAccessKey=k;EntityPath=hub',
    ...(config.consumerGroup === undefined ? {} : { consumerGroup: config.consumerGroup }),
    ...(config.startPosition === undefined ? {} : { startPosition: config.startPosition }),
    ...(config.startEnqueuedTime === undefined ? {} : { startEnqueuedTime: config.startEnqueuedTime }),
  }).filter((w) => !/RootManageSharedAccessKey|UseDevelopmentEmulator/.test(w));
  warnings.push(...reading.map((w) => w.replace('Create a consumer group for Cloudbridge', 'Create one for Cloudbridge (IoT Hub → Built-in endpoints → Consumer groups)')));
  if (cs.keyName && /^iothubowner$/i.test(cs.keyName)) {
    warnings.push('the connection string uses iothubowner (every right, including creating and deleting devices): create a policy with ServiceConnect, RegistryRead and RegistryWrite only');
  }
  return warnings;
}

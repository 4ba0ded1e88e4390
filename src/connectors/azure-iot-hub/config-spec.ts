/**
 * Config spec of the `azure-iot-hub` connector, its defaults, and the resolved config. The reading
 * fields (start position, batch, balancing) are the `azure-event-hubs` ones: device-to-cloud reads
 * the hub's built-in Event Hub-compatible endpoint with the same reader.
 */
import { Type, type Static } from '@sinclair/typebox';
import { parseAzureConnectionString } from '../azure-common/index.ts';
import { EVENT_HUBS_DEFAULTS, EventHubsConfigSpec, resolveEventHubsConfig, type EventHubEndpoint } from '../azure-event-hubs/index.ts';

export const IOT_HUB_DEFAULTS = {
  consumerGroup: '$Default',
  expirySeconds: 3600,
} as const;

const eh = EventHubsConfigSpec.properties;

export const IotHubConfigSpec = Type.Object({
  connectionString: Type.String({
    minLength: 1, secret: true,
    description: 'The IoT Hub\'s service connection string (IoT Hub → Security settings → Shared access policies → a policy → "Primary connection string"): HostName=<hub>.azure-devices.net;SharedAccessKeyName=<policy>;SharedAccessKey=<key>. The policy needs ServiceConnect (device-to-cloud, cloud-to-device and feedback), RegistryRead to read twins and RegistryWrite to update desired properties; the built-in "service" policy has ServiceConnect only, "iothubowner" has everything. Not a device connection string (DeviceId=...), not an IoT Central app.',
    examples: ['HostName=my-hub.azure-devices.net;SharedAccessKeyName=cloudbridge;SharedAccessKey=<key>'],
  }),
  consumerGroup: Type.Optional(Type.String({
    minLength: 1, maxLength: 50, default: IOT_HUB_DEFAULTS.consumerGroup,
    description: 'Consumer group of the built-in endpoint to read device-to-cloud messages with (IoT Hub → Hub settings → Built-in endpoints → Consumer groups). Give Cloudbridge one of its own: another reader of the same group takes partitions away, and a partition allows at most 5 readers per group.',
    examples: ['cloudbridge'],
  })),
  startPosition: eh.startPosition,
  startEnqueuedTime: eh.startEnqueuedTime,
  maxBatchSize: eh.maxBatchSize,
  maxWaitTimeMs: eh.maxWaitTimeMs,
  loadBalancing: eh.loadBalancing,
  ownershipExpirationSeconds: eh.ownershipExpirationSeconds,
  eventHubCompatibleConnectionString: Type.Optional(Type.String({
    minLength: 1, secret: true,
    description: 'The built-in endpoint\'s "Event Hub-compatible endpoint" string (IoT Hub → Hub settings → Built-in endpoints), Endpoint=sb://iothub-ns-...servicebus.windows.net/;...;EntityPath=<name>. Default: found at start through the IoT Hub\'s AMQP redirect, as Microsoft\'s samples do (the hub names its endpoint, which can move after a failover). Give it when outbound AMQP to the hub host is limited to the endpoint, or with a policy that has only Listen on the endpoint.',
    examples: ['Endpoint=sb://iothub-ns-my-hub-1234567-abcdef0123.servicebus.windows.net/;SharedAccessKeyName=cloudbridge;SharedAccessKey=<key>;EntityPath=my-hub'],
  })),
  expirySeconds: Type.Optional(Type.Integer({
    minimum: 1, maximum: 172_800, default: IOT_HUB_DEFAULTS.expirySeconds,
    description: 'Cloud-to-device messages expire this long after sending when the device has not taken them (the downlink\'s outcome becomes expired). The hub caps it at its own cloud-to-device time to live (1 hour by default, 48 hours at most).',
    examples: [3600],
  })),
  twinSyncIntervalSeconds: Type.Optional(Type.Integer({
    minimum: 10, maximum: 86_400,
    description: 'Read every device twin this often (one registry query, 100 twins per page) and store the reported properties that changed as client attributes of the devices. Default: off; the readTwin action reads one device\'s twin on demand.',
    examples: [300],
  })),
}, { additionalProperties: false, title: 'Azure IoT Hub' });

export type IotHubConfig = Static<typeof IotHubConfigSpec>;

export interface ResolvedIotHubConfig {
  connectionString: string;
  /** HostName (may carry a port against a test double). */
  host: string;
  /** The hub name: the first label of the host. */
  hubName: string;
  keyName: string | undefined;
  /** Reading settings of the built-in endpoint; connectionString and eventHubName are filled in at start unless given. */
  endpoint: EventHubEndpoint;
  endpointGiven: boolean;
  expirySeconds: number;
  twinSyncIntervalSeconds: number | undefined;
}

export function resolveIotHubConfig(config: IotHubConfig): ResolvedIotHubConfig {
  const cs = parseAzureConnectionString(config.connectionString);
  const given = config.eventHubCompatibleConnectionString;
  const reading = resolveEventHubsConfig({
    connectionString: given ?? 'Endpoint=sb://unresolved/',
    ...(given ? {} : { eventHubName: 'unresolved' }),
    consumerGroup: config.consumerGroup ?? IOT_HUB_DEFAULTS.consumerGroup,
    startPosition: config.startPosition ?? EVENT_HUBS_DEFAULTS.startPosition,
    ...(config.startEnqueuedTime === undefined ? {} : { startEnqueuedTime: config.startEnqueuedTime }),
    ...(config.maxBatchSize === undefined ? {} : { maxBatchSize: config.maxBatchSize }),
    ...(config.maxWaitTimeMs === undefined ? {} : { maxWaitTimeMs: config.maxWaitTimeMs }),
    ...(config.loadBalancing === undefined ? {} : { loadBalancing: config.loadBalancing }),
    ...(config.ownershipExpirationSeconds === undefined ? {} : { ownershipExpirationSeconds: config.ownershipExpirationSeconds }),
  });
  const { host: _h, keyName: _k, ...endpoint } = reading;
  return {
    connectionString: config.connectionString,
    host: cs.host,
    hubName: cs.host.split(/[.:]/)[0] ?? cs.host,
    keyName: cs.keyName,
    endpoint,
    endpointGiven: given !== undefined,
    expirySeconds: config.expirySeconds ?? IOT_HUB_DEFAULTS.expirySeconds,
    twinSyncIntervalSeconds: config.twinSyncIntervalSeconds,
  };
}

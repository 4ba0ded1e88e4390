/**
 * The `azure-event-hubs` connector plugin, and the partition reader `azure-iot-hub` reuses for its
 * built-in endpoint. The SDK client (`sdk-event-hubs-api.ts`) is not exported: `sdkApiFor` loads
 * it on first use, so importing the plugin loads no SDK.
 *
 * Reuse (IoT Hub device-to-cloud): build an `EventHubEndpoint` (an Event Hubs connection string for
 * the built-in endpoint, its hub name, consumer group, start position, batch and balancing
 * settings) and run
 *
 *   new EventHubSource({ endpoint, createApi: sdkApiFor, service: 'IoT Hub', host, keyName }, ctx)
 *
 * as (part of) the connector: it claims partitions through the integration's leases, commits each
 * partition's checkpoint with its data, maps events with `toUplinkMessage` (IoT Hub system
 * properties included, `iothub-connection-device-id` as metadata `deviceId`) and reports per
 * partition status (`partitionStatus()`, `status().partitions`). `start`/`stop`/`status` are the
 * Connector's; `sendDownlink` sends to the hub itself (an IoT Hub connector sends C2D instead).
 */
export { azureEventHubsConnector, sdkApiFor } from './definition.ts';
export { validateEventHubsConfig } from './validate.ts';
export { EventHubsConfigSpec, resolveEventHubsConfig, EVENT_HUBS_DEFAULTS, type EventHubsConfig, type ResolvedEventHubsConfig, type EventHubEndpoint, type StartPosition, type StartPositionKind } from './config-spec.ts';
export { EventHubSource, EVENT_HUBS_DEDUPE, PROCESS_OWNER_ID, DELIVERIES_IN_FLIGHT_PER_PARTITION, toSubscribePosition, type EventHubSourceOptions, type EventHubPartitionStatus } from './event-hubs-source.ts';
export type { SdkEventHubsApi } from './sdk-event-hubs-api.ts';
export type { EventHubsApi, EventHubsApiFactory, EventHubsApiOptions, SubscribeSettings } from './event-hubs-api.ts';
export { translateEventHubsError, DEDICATED_GROUP_FIX, type EventHubsErrorContext } from './event-hubs-errors.ts';
export { checkEventHubsConnection, probeConsumerGroup } from './connection-check.ts';
export { toUplinkMessage, type EventMessageContext } from './uplink-message.ts';
export { buildEvent } from './downlink.ts';
export { LeaseCheckpointStore } from './lease-checkpoint-store.ts';
export { formatPosition, parsePosition, leaseKey } from './position.ts';

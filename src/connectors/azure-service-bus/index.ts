/**
 * The `azure-service-bus` connector plugin. The SDK client (`sdk-service-bus-api.ts`, on
 * @azure/service-bus) is not exported: `sdkApiFor` loads it on first use.
 */
export { azureServiceBusConnector, sdkApiFor } from './definition.ts';
export { validateServiceBusConfig } from './validate.ts';
export { ServiceBusConfigSpec, resolveServiceBusConfig, SERVICE_BUS_DEFAULTS, type ServiceBusConfig, type ResolvedServiceBusConfig } from './config-spec.ts';
export { parseServiceBusConnectionString, type ServiceBusConnection } from './connection-string.ts';
export { ServiceBusSource, type ServiceBusSourceOptions } from './service-bus-source.ts';
export type { ServiceBusApi, ServiceBusApiFactory, EntityReceiver, SessionReceiver, MessageSettler } from './service-bus-api.ts';
export { translateServiceBusError, isLockLost, type ServiceBusErrorContext } from './service-bus-errors.ts';
export { toUplinkMessage } from './uplink-message.ts';
export { buildServiceBusMessage } from './downlink.ts';

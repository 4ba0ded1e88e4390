/**
 * The `azure-service-bus` connector: consumes a Service Bus queue or topic subscription in
 * peek-lock mode, completing each message only after it is stored (or dead-lettered), keeping
 * its lock while it waits, with sessions in order when the entity requires them; downlinks go to
 * a queue or topic.
 */
import type { CheckResult, ConnectorDefinition } from '../../core/connector.ts';
import { toCloudbridgeError } from '../../core/errors.ts';
import { resolveServiceBusConfig, ServiceBusConfigSpec, type ResolvedServiceBusConfig } from './config-spec.ts';
import { checkServiceBusConnection } from './connection-check.ts';
import { SERVICE_BUS_GUIDE } from './guide.ts';
import { SERVICE_BUS_PITFALLS } from './pitfalls.ts';
import type { ServiceBusApi } from './service-bus-api.ts';
import { ServiceBusSource } from './service-bus-source.ts';
import { validateServiceBusConfig } from './validate.ts';

/** A client on @azure/service-bus for this config, the SDK imported on first use only. */
export async function sdkApiFor(c: ResolvedServiceBusConfig, maxRetries?: number): Promise<ServiceBusApi> {
  const { SdkServiceBusApi } = await import('./sdk-service-bus-api.ts');
  return new SdkServiceBusApi(c, maxRetries === undefined ? {} : { maxRetries });
}

export const azureServiceBusConnector: ConnectorDefinition<typeof ServiceBusConfigSpec> = {
  type: 'azure-service-bus',
  title: 'Azure Service Bus',
  description: 'Consumes an Azure Service Bus queue or topic subscription in peek-lock mode. A message is completed only after its results, or its dead letter, are stored; until then Cloudbridge renews its lock, however long the store takes (up to maxLockRenewalSeconds). A message that could not be stored is held and offered again after the pipeline\'s retry delay, its lock kept. The MessageId makes redeliveries harmless: nothing is stored twice, even with several instances competing for the same entity. Session-enabled entities keep each session in order. The body reaches the converter as bytes; metadata carries messageId, sequenceNumber, deliveryCount, enqueuedTime, sessionId, correlationId, contentType, subject and every application property. Downlinks are sent to downlinkQueueOrTopic.',
  configSpec: ServiceBusConfigSpec,
  capabilities: { downlink: true, redelivery: 'peek-lock' },
  validate: (config) => validateServiceBusConfig(config),
  create(config, ctx) {
    const c = resolveServiceBusConfig(config);
    return new ServiceBusSource({ config: c, createApi: () => sdkApiFor(c) }, ctx);
  },
  async testConnection(config, signal): Promise<CheckResult> {
    let c: ResolvedServiceBusConfig;
    try {
      validateServiceBusConfig(config);
      c = resolveServiceBusConfig(config);
    } catch (err) {
      const error = toCloudbridgeError(err, 'CONFIG_INVALID');
      return { ok: false, checks: [{ name: 'config', ok: false, message: error.message }], error: { code: error.code, message: error.message } };
    }
    return checkServiceBusConnection(c, await sdkApiFor(c, 0), signal);
  },
  pitfalls: SERVICE_BUS_PITFALLS,
  guide: SERVICE_BUS_GUIDE,
};

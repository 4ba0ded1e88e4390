/**
 * The `azure-event-hubs` connector: reads an event hub with the SDK's load balancer over
 * Cloudbridge's leases, commits each partition's checkpoint with its data, and sends downlinks to
 * the hub.
 */
import type { CheckResult, ConnectorDefinition } from '../../core/connector.ts';
import { toCloudbridgeError } from '../../core/errors.ts';
import { EventHubsConfigSpec, resolveEventHubsConfig } from './config-spec.ts';
import { checkEventHubsConnection } from './connection-check.ts';
import type { EventHubsApi, EventHubsApiOptions } from './event-hubs-api.ts';
import { EventHubSource } from './event-hubs-source.ts';
import { EVENT_HUBS_GUIDE } from './guide.ts';
import { EVENT_HUBS_PITFALLS } from './pitfalls.ts';
import { validateEventHubsConfig } from './validate.ts';

/** An Event Hubs client on `@azure/event-hubs`, imported here on first use, never when the plugin loads. */
export async function sdkApiFor(o: EventHubsApiOptions): Promise<EventHubsApi> {
  const { SdkEventHubsApi } = await import('./sdk-event-hubs-api.ts');
  return new SdkEventHubsApi(o);
}

export const azureEventHubsConnector: ConnectorDefinition<typeof EventHubsConfigSpec> = {
  type: 'azure-event-hubs',
  title: 'Azure Event Hubs',
  description: 'Reads an Azure event hub with the official SDK (EventHubConsumerClient.subscribe). The instances of Cloudbridge that share one database split the partitions through the SDK\'s load balancer, whose ownership and checkpoint store is Cloudbridge\'s lease table; each partition\'s checkpoint is committed in the same transaction as its data, so a crash, a restart or a takeover neither loses nor duplicates an event, and an instance whose partition was taken over stores nothing more of it. Metadata carries the partition, sequence number, offset, enqueued time, partition key, every application property and the IoT Hub system properties. Downlinks are sent to the hub as events.',
  configSpec: EventHubsConfigSpec,
  capabilities: { downlink: true, redelivery: 'checkpoint' },
  validate: (config) => validateEventHubsConfig(config),
  create(config, ctx) {
    const c = resolveEventHubsConfig(config);
    return new EventHubSource({ endpoint: c, host: c.host, keyName: c.keyName, createApi: sdkApiFor }, ctx);
  },
  async testConnection(config, signal): Promise<CheckResult> {
    try {
      validateEventHubsConfig(config);
    } catch (err) {
      const error = toCloudbridgeError(err, 'CONFIG_INVALID');
      return { ok: false, checks: [{ name: 'config', ok: false, message: error.message }], error: { code: error.code, message: error.message } };
    }
    const c = resolveEventHubsConfig(config);
    const api = await sdkApiFor({ connectionString: c.connectionString, eventHubName: c.eventHubName, consumerGroup: c.consumerGroup, owner: 'connection-check', store: null, loadBalancing: c.loadBalancing, ownershipExpirationMs: c.ownershipExpirationSeconds * 1000, updateIntervalMs: 10_000, maxRetries: 0 });
    return checkEventHubsConnection(c, api, signal);
  },
  pitfalls: EVENT_HUBS_PITFALLS,
  guide: EVENT_HUBS_GUIDE,
};

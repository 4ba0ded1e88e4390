/** Cross-field rules of the `azure-event-hubs` config: warnings for what works but is likely a mistake, CONFIG_INVALID naming the field for what cannot work. */
import { CloudbridgeError } from '../../core/errors.ts';
import { expectNamespaceString } from '../azure-common/index.ts';
import type { EventHubsConfig } from './config-spec.ts';

const PORTAL_HINT = 'in the Azure portal: Event Hubs namespace → Shared access policies (or the event hub → Shared access policies) → a policy with Listen → "Connection string–primary key"';

/** Cross-field rules; returns warnings, throws CONFIG_INVALID. */
export function validateEventHubsConfig(config: EventHubsConfig): string[] {
  const invalid = (field: string, message: string): CloudbridgeError => new CloudbridgeError('CONFIG_INVALID', message, { field });
  const cs = expectNamespaceString(config.connectionString, { field: 'connectionString', service: 'Event Hubs', portalHint: PORTAL_HINT });
  if (!config.eventHubName && !cs.entityPath) {
    throw invalid('eventHubName', 'eventHubName is missing and the connection string has no EntityPath: give the name of the event hub to read (a namespace\'s connection string names no hub)');
  }
  if (config.eventHubName && cs.entityPath && config.eventHubName.toLowerCase() !== cs.entityPath.toLowerCase()) {
    throw invalid('eventHubName', `eventHubName is "${config.eventHubName}" but the connection string's EntityPath is "${cs.entityPath}": an event hub's own policy only works for that hub. Leave eventHubName empty, or use the namespace's connection string`);
  }
  const warnings: string[] = [];
  if (config.startPosition === 'enqueuedTime') {
    if (!config.startEnqueuedTime) throw invalid('startEnqueuedTime', 'startPosition is enqueuedTime but startEnqueuedTime is missing: give the enqueued time to start from, e.g. 2026-01-31T00:00:00Z');
    const at = Date.parse(config.startEnqueuedTime);
    if (!Number.isFinite(at)) throw invalid('startEnqueuedTime', `startEnqueuedTime "${config.startEnqueuedTime}" is not a valid date and time (ISO 8601, e.g. 2026-01-31T00:00:00Z)`);
  } else if (config.startEnqueuedTime) {
    warnings.push(`startEnqueuedTime is set but startPosition is ${config.startPosition ?? 'latest'}: it is only used with enqueuedTime`);
  }
  if ((config.consumerGroup ?? '$Default').toLowerCase() === '$default') {
    warnings.push('consumerGroup is $Default: other applications (the portal\'s data explorer, Stream Analytics, Functions) usually read it too and take partitions away from Cloudbridge, and a partition allows at most 5 readers per group. Create a consumer group for Cloudbridge and set consumerGroup');
  }
  if (cs.keyName && /^RootManageSharedAccessKey$/i.test(cs.keyName)) {
    warnings.push('the connection string uses RootManageSharedAccessKey (Manage, Send and Listen on the whole namespace): create a policy with Listen (and Send for downlinks) on this event hub only');
  }
  if (cs.useDevelopmentEmulator) warnings.push('the connection string has UseDevelopmentEmulator=true: plain AMQP without TLS, for a local emulator only');
  return warnings;
}

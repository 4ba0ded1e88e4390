/**
 * Cross-field rules of the `azure-service-bus` connector: CONFIG_INVALID naming the field for what
 * cannot work (no entity, a topic without its subscription, an EntityPath that disagrees), warnings
 * for what works but is likely a mistake.
 */
import { CloudbridgeError } from '../../core/errors.ts';
import { resolveServiceBusConfig, type ServiceBusConfig } from './config-spec.ts';

export function validateServiceBusConfig(config: ServiceBusConfig): string[] {
  const invalid = (field: string, message: string): CloudbridgeError => new CloudbridgeError('CONFIG_INVALID', message, { field });
  const c = resolveServiceBusConfig(config);
  if (config.queueName !== undefined && config.topicName !== undefined) throw invalid('queueName', 'set queueName, or topicName and subscriptionName, not both');
  if (config.topicName !== undefined && config.subscriptionName === undefined) throw invalid('subscriptionName', `subscriptionName is missing: a topic is consumed through one of its subscriptions (topic "${config.topicName}")`);
  if (config.subscriptionName !== undefined && config.topicName === undefined) throw invalid('topicName', 'topicName is missing: subscriptionName names a subscription of a topic');
  if (c.queueName === undefined && c.topicName === undefined) throw invalid('queueName', 'no entity to consume: set queueName (or topicName and subscriptionName), or use a connection string with EntityPath');
  const entityPath = c.connection.entityPath;
  if (entityPath !== undefined) {
    const named = c.topicName ?? c.queueName ?? '';
    if (entityPath.toLowerCase() !== named.toLowerCase()) {
      throw invalid(c.entityField, `the connection string is scoped to "${entityPath}" (EntityPath) but the config names "${named}": an entity-level policy grants nothing on other entities. Use a namespace-level connection string, or name "${entityPath}"`);
    }
  }
  const warnings: string[] = [];
  if (c.maxLockRenewalSeconds === 0) warnings.push('maxLockRenewalSeconds is 0: locks are never renewed, so a message whose store commit takes longer than the entity\'s lock duration is redelivered (recognised as a duplicate, but wasted work)');
  if (/^sb:\/\/[^/]*\.servicebus\.windows\.net/i.test(c.connection.endpoint) === false && !/UseDevelopmentEmulator=true/i.test(config.connectionString)) {
    warnings.push(`the endpoint ${c.connection.host} is not a *.servicebus.windows.net namespace: check it is a Service Bus namespace (sovereign clouds and emulators are fine)`);
  }
  return warnings;
}

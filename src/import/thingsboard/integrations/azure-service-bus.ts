/**
 * AZURE_SERVICE_BUS → azure-service-bus: topic and subscription; downlinks go to a queue or topic
 * of the same namespace with the same connection string (which then needs the Send right too).
 */
import { azureConnection, putSecret, typeMapping } from './common.ts';

export const azureServiceBus = typeMapping('AZURE_SERVICE_BUS', 'azure-service-bus', (top, ctx) => {
  const cc = top.child('clientConfiguration');
  const cs = cc.str('connectionString');
  const downCs = cc.str('downlinkConnectionString');
  const downTopic = cc.str('downlinkTopicName');
  const send = ctx.hasDownlink && downTopic !== undefined;
  const config: Record<string, unknown> = {};
  putSecret(config, 'connectionString', ctx, `Service Bus connection string with the Listen right${send ? ' and the Send right (downlinks use the same string)' : ''} (connectionString of the ThingsBoard export)`, cs);
  const topic = cc.str('topicName');
  if (topic) config.topicName = topic;
  const sub = cc.str('subName');
  if (sub) config.subscriptionName = sub;
  if (send) config.downlinkQueueOrTopic = downTopic;
  cc.raw('downlinkTopicName');
  if (downCs) {
    cc.raw('downlinkConnectionString');
    const downHost = azureConnection(downCs)?.host.toLowerCase();
    const same = downHost !== undefined && downHost === azureConnection(cs)?.host.toLowerCase();
    ctx.unmapped.push({
      entity: ctx.entity, field: 'configuration.clientConfiguration.downlinkConnectionString',
      reason: same
        ? 'Cloudbridge sends downlinks with connectionString: give its policy the Send right too (the separate downlink key is not imported)'
        : 'the downlink namespace differs from the uplink one; Cloudbridge sends downlinks within the uplink namespace: create the downlink topic there, or a second integration',
    });
  }
  if (ctx.hasDownlink && !downTopic) ctx.warnings.push(`${ctx.entity}: a downlink converter without downlinkTopicName: set config.downlinkQueueOrTopic`);
  cc.rest();
  return { config, keepDownlink: true };
});

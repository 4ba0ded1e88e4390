/**
 * AZURE_EVENT_HUB → azure-event-hubs. Checkpoints live in Cloudbridge's database (committed with
 * the data), so the blob checkpoint store settings are not needed. ThingsBoard's downlink went to
 * IoT Hub (cloud-to-device through iotHubName); Cloudbridge's Event Hubs downlink sends events to
 * the event hub, so the downlink converter is not carried over: use an azure-iot-hub integration.
 */
import { azureConnection, putSecret, typeMapping } from './common.ts';

export const azureEventHub = typeMapping('AZURE_EVENT_HUB', 'azure-event-hubs', (top, ctx) => {
  const cc = top.child('clientConfiguration');
  const cs = cc.str('connectionString');
  const config: Record<string, unknown> = {};
  putSecret(config, 'connectionString', ctx, 'Event Hubs connection string with the Listen right (connectionString of the ThingsBoard export; Endpoint=sb://…;SharedAccessKeyName=…;SharedAccessKey=…;EntityPath=<event hub>)', cs);
  const hub = azureConnection(cs)?.entityPath || undefined;
  if (hub) config.eventHubName = hub;
  else if (cs) ctx.warnings.push(`${ctx.entity}: the connection string has no EntityPath: set config.eventHubName to the event hub to read`);
  const group = cc.str('consumerGroup');
  if (group) config.consumerGroup = group;
  cc.drop('connectTimeoutSec', 'the SDK\'s own timeouts and retries apply');
  const persistent = cc.bool('enablePersistentCheckpoints');
  cc.drop('storageConnectionString', 'Cloudbridge keeps checkpoints in its own database, committed with the data: no blob storage is needed (and the storage key is not imported)');
  cc.drop('containerName', 'Cloudbridge keeps checkpoints in its own database: no blob container is needed');
  if (persistent === false) ctx.warnings.push(`${ctx.entity}: ThingsBoard kept checkpoints in memory only; Cloudbridge keeps them in its database, so a restart resumes where it stopped`);
  const iotHub = cc.str('iotHubName');
  let keepDownlink = true;
  if (ctx.hasDownlink || iotHub) {
    keepDownlink = false;
    ctx.unmapped.push({ entity: ctx.entity, field: ctx.hasDownlink ? 'downlinkConverterId' : 'configuration.clientConfiguration.iotHubName', reason: `ThingsBoard sent downlinks as IoT Hub cloud-to-device messages${iotHub ? ` (hub ${iotHub})` : ''}; Cloudbridge's Event Hubs downlink sends events to the event hub. For cloud-to-device, add an azure-iot-hub integration with the hub's service connection string and give it the downlink converter` });
  }
  cc.rest();
  return { config, keepDownlink };
});

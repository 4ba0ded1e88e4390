/**
 * PUB_SUB → gcp-pubsub. Flow control and ack-deadline extension were not configurable in
 * ThingsBoard; Cloudbridge's defaults apply (maxMessages, maxBytes, maxAckExtensionSeconds).
 */
import { putSecret, typeMapping } from './common.ts';

export const pubSub = typeMapping('PUB_SUB', 'gcp-pubsub', (top, ctx) => {
  const cc = top.child('clientConfiguration');
  const config: Record<string, unknown> = { projectId: cc.str('projectId') ?? '', subscription: cc.str('subscriptionId') ?? '' };
  const file = cc.str('serviceAccountKeyFileName');
  putSecret(config, 'credentials', ctx, `The service account JSON key, the whole file${file ? ` (${file})` : ''}: serviceAccountKey of the ThingsBoard export`, cc.str('serviceAccountKey'));
  if (ctx.hasDownlink) ctx.unmapped.push({ entity: ctx.entity, field: 'downlinkConverterId', reason: 'ThingsBoard has no Pub/Sub downlink; Cloudbridge publishes downlinks to config.downlinkTopic: set it and the downlinkConverter to use one' });
  cc.rest();
  return { config, keepDownlink: false };
});

/**
 * IBM_WATSON_IOT → ibm-watson-iot. ThingsBoard removed this integration in PE 4.2; Cloudbridge still
 * supports Watson IoT. The API key (a-<orgId>-<suffix>) gives the organization; event topic
 * filters become event subscriptions; the command topic is fixed in both (from the downlink
 * converter's metadata device_type, device_id, command_id, format).
 */
import { derivedId, putConnectTimeout, putSecret, topicFilters, typeMapping } from './common.ts';

const EVENT_FILTER = /^iot-2\/type\/([^/]+)\/id\/([^/]+)\/evt\/([^/]+)\/fmt\/([^/]+)$/;
const FIXED_PATTERN = 'iot-2/type/${device_type}/id/${device_id}/cmd/${command_id}/fmt/${format}';

export const ibmWatson = typeMapping('IBM_WATSON_IOT', 'ibm-watson-iot', (top, ctx) => {
  const cc = top.child('clientConfiguration');
  const creds = cc.child('credentials');
  const apiKey = creds.str('username') ?? '';
  const config: Record<string, unknown> = { orgId: apiKey.split('-')[1] ?? '', apiKey };
  putSecret(config, 'authToken', ctx, `Authentication token of API key ${apiKey || '(none)'} (the password of the ThingsBoard export)`, creds.str('password'));
  creds.raw('type');
  creds.rest();
  config.appId = derivedId(ctx.name, 128);
  ctx.warnings.push(`${ctx.entity}: ThingsBoard used a random application id; Cloudbridge uses a fixed one for its durable session: "${String(config.appId)}" (unique per running instance)`);
  const events: Array<Record<string, unknown>> = [];
  topicFilters(top.raw('topicFilters')).forEach((f, i) => {
    const m = EVENT_FILTER.exec(f.filter);
    if (!m) {
      ctx.unmapped.push({ entity: ctx.entity, field: `configuration.topicFilters[${i}]`, reason: `"${f.filter}" is not an application event subscription (iot-2/type/<type>/id/<id>/evt/<event>/fmt/<format>)` });
      return;
    }
    const e: Record<string, unknown> = {};
    (['deviceType', 'deviceId', 'eventId', 'format'] as const).forEach((k, j) => { if (m[j + 1] !== '+') e[k] = m[j + 1]; });
    e.qos = f.qos;
    events.push(e);
  });
  if (events.length > 0) config.events = events.slice(0, 16);
  const pattern = top.str('downlinkTopicPattern');
  if (pattern && pattern !== FIXED_PATTERN) ctx.unmapped.push({ entity: ctx.entity, field: 'configuration.downlinkTopicPattern', reason: `the command topic is fixed (${FIXED_PATTERN}, as ThingsBoard did regardless of this field)` });
  putConnectTimeout(config, cc);
  cc.drop('maxBytesInMessage', 'no per-message size setting');
  cc.rest();
  ctx.warnings.push(`${ctx.entity}: ThingsBoard removed the IBM Watson IoT integration in PE 4.2; Cloudbridge supports it (connector ibm-watson-iot)`);
  return { config, keepDownlink: true };
});

/**
 * AZURE_IOT_HUB → azure-iot-hub. ThingsBoard connects to the hub as ONE device over MQTT (its
 * cloud-to-device messages are the uplinks); Cloudbridge connects on the service side and reads
 * the device-to-cloud messages of every device from the built-in endpoint, and sends
 * cloud-to-device messages as downlinks. It needs the hub's service connection string, which the
 * export does not hold: the device key is not imported.
 */
import { putSecret, typeMapping } from './common.ts';

export const azureIotHub = typeMapping('AZURE_IOT_HUB', 'azure-iot-hub', (top, ctx) => {
  const cc = top.child('clientConfiguration');
  const host = cc.str('host') ?? '<hub>.azure-devices.net';
  const device = cc.str('clientId');
  const config: Record<string, unknown> = {};
  putSecret(config, 'connectionString', ctx, `Service connection string of IoT Hub ${host} (IoT Hub → Shared access policies → a policy with ServiceConnect, e.g. "service" → Primary connection string: HostName=${host};SharedAccessKeyName=…;SharedAccessKey=…). Not in the ThingsBoard export, which holds a device key`, undefined);
  const creds = cc.child('credentials');
  creds.drop('sasKey', `the key of device "${device ?? '?'}", which ThingsBoard connected as; Cloudbridge reads every device's messages on the service side with the hub's service connection string instead`);
  creds.drop('privateKey', `the X.509 key of device "${device ?? '?'}"; Cloudbridge connects on the service side with the hub's service connection string`);
  creds.drop('cert', 'device certificate: not used on the service side');
  creds.drop('privateKeyPassword', 'device key passphrase: not used on the service side');
  creds.drop('caCert', 'Cloudbridge trusts the Azure CAs from Node.js\'s root store');
  creds.raw('type');
  creds.rest();
  cc.drop('clientId', `ThingsBoard connected as device "${device ?? ''}" and received its cloud-to-device messages; Cloudbridge receives the device-to-cloud messages of every device (deviceId in the metadata): have the decoder take the device from metadata.deviceId or the payload`);
  cc.raw('host');
  cc.drop('protocolVersion', 'the service side uses AMQP, not MQTT');
  cc.drop('maxBytesInMessage', 'no per-message size setting');
  top.drop('topicFilters', 'the device-side MQTT subscription has no service-side equivalent: Cloudbridge reads the built-in endpoint (consumerGroup)');
  if (ctx.hasDownlink) ctx.warnings.push(`${ctx.entity}: ThingsBoard published downlinks as the device (device-to-cloud, metadata.topic); Cloudbridge sends cloud-to-device messages to metadata.deviceId (else metadata.deviceName): adapt the downlink converter`);
  return { config, keepDownlink: true };
});

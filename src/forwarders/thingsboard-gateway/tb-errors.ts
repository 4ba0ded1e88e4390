/**
 * ThingsBoard's side of the MQTT error translation (the mqtt connector's `translateConnectError`
 * does the rest): what a refused connection means for a gateway device.
 */
import { CloudbridgeError } from '../../core/errors.ts';
import type { MqttErrorAdvisor } from '../../connectors/mqtt/index.ts';

export const tbErrorAdvisor: MqttErrorAdvisor = (error, situation, ctx) => {
  if (error.code === 'AUTH_FAILED') {
    return new CloudbridgeError('AUTH_FAILED',
      `ThingsBoard at ${ctx.endpoint} refused the gateway's credentials: copy the access token of the gateway device (Devices → the device → Copy access token) into accessToken, or check credentials / tls.cert for X.509 and basic credentials.`,
      { ...error.details, field: 'accessToken' }, { cause: error });
  }
  if (error.code === 'CONNECTION_FAILED' && situation.kind === 'closed' && situation.established) {
    return new CloudbridgeError('CONNECTION_FAILED',
      `ThingsBoard at ${ctx.endpoint} closed the connection. With MQTT 3.1.1 it does so on data it cannot process, and on v1/gateway/* publishes when the device is not a gateway ("Is gateway" unticked); another client with the same clientId also closes it.`,
      error.details, { cause: error });
  }
  if (error.code === 'CONNECTION_FAILED' && situation.kind === 'connect' && ctx.tls && /reset by the peer/.test(error.message)) {
    // A plain MQTT port (ThingsBoard's 1883) drops a TLS ClientHello without a word.
    return new CloudbridgeError('CONNECTION_FAILED',
      `${error.message.replace(/\.$/, '')}; if ThingsBoard serves plain MQTT on this port (1883 by default), remove tls or use its TLS port (8883).`,
      { ...error.details, field: 'tls' }, { cause: error });
  }
  return error;
};

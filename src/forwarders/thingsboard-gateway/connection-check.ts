/**
 * The forwarder's connection check: connects as the gateway device (credentials, TLS), subscribes
 * to the back channel, disconnects. Publishes nothing, so no device is created in ThingsBoard.
 */
import { configCheckFailure, type CheckResult } from '../../core/connector.ts';
import { toCloudbridgeError } from '../../core/errors.ts';
import { BACK_CHANNEL_TOPICS, GatewaySession } from './gateway-session.ts';
import { resolveTbConfig, type ThingsboardGatewayConfig } from './config-spec.ts';
import { validateTbConfig } from './validate.ts';

export async function checkTbConnection(config: ThingsboardGatewayConfig, name: string): Promise<CheckResult> {
  try {
    validateTbConfig(config);
  } catch (err) {
    return configCheckFailure(err);
  }
  const c = resolveTbConfig(config, `${name}-check`);
  const endpoint = `${c.host}:${c.port}`;
  try {
    const session = await GatewaySession.connect(c, { onMessage: async () => undefined, onClose: () => undefined });
    await session.close();
    return {
      ok: true,
      checks: [
        { name: 'connect', ok: true, message: `connected to ThingsBoard at ${endpoint}${c.tls ? ' over TLS' : ''} as the gateway device (MQTT ${c.protocolVersion === 5 ? '5' : '3.1.1'})` },
        { name: 'subscribe', ok: true, message: `subscribed to ${BACK_CHANNEL_TOPICS.join(', ')}` },
      ],
    };
  } catch (err) {
    const e = toCloudbridgeError(err, 'CONNECTION_FAILED');
    return { ok: false, checks: [{ name: 'connect', ok: false, message: e.message }], error: { code: e.code, message: e.message } };
  }
}

/** The `thingsboard-gateway` forwarder definition: a ThingsBoard (or Edge) server through its gateway MQTT API. */
import type { ForwarderDefinition } from '../../core/forwarder.ts';
import type { OutboxRow } from '../../store/types.ts';
import { resolveTbConfig, ThingsboardGatewayConfigSpec } from './config-spec.ts';
import { checkTbConnection } from './connection-check.ts';
import { TB_GATEWAY_GUIDE } from './guide.ts';
import { TB_GATEWAY_PITFALLS } from './pitfalls.ts';
import { ThingsboardForwarder } from './thingsboard-forwarder.ts';
import { validateTbConfig } from './validate.ts';

export const thingsboardGatewayForwarder: ForwarderDefinition<typeof ThingsboardGatewayConfigSpec, OutboxRow> = {
  type: 'thingsboard-gateway',
  title: 'ThingsBoard gateway',
  description: 'Forwards the stored telemetry and attributes of its integrations to ThingsBoard (CE, PE or Edge) as a gateway device over MQTT, in order and at least once (PUBACK before delete); server-side RPCs and shared-attribute updates come back as downlinks.',
  configSpec: ThingsboardGatewayConfigSpec,
  validate: validateTbConfig,
  create: (config, ctx) => new ThingsboardForwarder(resolveTbConfig(config, ctx.name), ctx),
  testConnection: checkTbConnection,
  rpcReply: (config, outcome) => {
    if (outcome.sent) return (config.rpcReply ?? 'on-send') === 'on-send' ? { success: true } : null;
    return { success: false, error: outcome.error ?? 'downlink failed' };
  },
  renewAdvice: (credential) => credential === 'tls.cert'
    ? 'issue a new certificate for the gateway device, set it as the device\'s X.509 credentials in ThingsBoard (Devices → the gateway → Manage credentials), then put it in tls.cert and its key in tls.key; the forwarder reconnects with it and keeps its outbox'
    : undefined,
  pitfalls: TB_GATEWAY_PITFALLS,
  guide: TB_GATEWAY_GUIDE,
};

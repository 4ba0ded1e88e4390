/** The `thingsboard-gateway` forwarder. */
export { thingsboardGatewayForwarder } from './definition.ts';
export { ThingsboardGatewayConfigSpec, resolveTbConfig, TB_DEFAULTS, type ThingsboardGatewayConfig, type ResolvedTbConfig } from './config-spec.ts';
export { OutboxPump, type PumpOptions } from './outbox-pump.ts';
export { refusalFor, type Refusal } from './reason-codes.ts';
export { RPC_MSG_TYPE, ATTRIBUTES_UPDATED, ATTRIBUTES_RESPONSE } from './back-channel.ts';

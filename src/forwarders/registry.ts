/** Every forwarder plugin, one line each (like src/connectors/registry.ts). */
import type { ForwarderDefinition } from '../core/forwarder.ts';
import { thingsboardGatewayForwarder } from './thingsboard-gateway/index.ts';

export const forwarderDefinitions: readonly ForwarderDefinition[] = [
  thingsboardGatewayForwarder,
];

export function findForwarder(type: string): ForwarderDefinition | undefined {
  return forwarderDefinitions.find((d) => d.type === type);
}

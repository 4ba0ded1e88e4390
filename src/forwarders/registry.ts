/** Every forwarder plugin, one line each (like src/connectors/registry.ts). */
import type { TSchema } from '@sinclair/typebox';
import type { ForwarderDefinition } from '../core/forwarder.ts';
import type { OutboxRow } from '../store/types.ts';
import { thingsboardGatewayForwarder } from './thingsboard-gateway/index.ts';

/** A forwarder plugin: it reads the store's outbox rows. */
export type ForwarderPlugin = ForwarderDefinition<TSchema, OutboxRow>;

export const forwarderDefinitions: readonly ForwarderPlugin[] = [
  thingsboardGatewayForwarder,
];

export function findForwarder(type: string): ForwarderPlugin | undefined {
  return forwarderDefinitions.find((d) => d.type === type);
}

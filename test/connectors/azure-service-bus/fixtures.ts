/** What the azure-service-bus tests share: a double with queues for a test, and a connector config pointing at it. */
import { randomUUID } from 'node:crypto';
import type { ServiceBusConfig } from '../../../src/connectors/azure-service-bus/index.ts';
import type { AzureDouble } from '../../peers/azure/index.ts';

export function uniqueEntity(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** A config for `entity` on the double's Service Bus namespace (plain TCP, as the SDK's emulator mode). */
export function sbConfig(double: AzureDouble, extra: Partial<ServiceBusConfig> = {}): ServiceBusConfig {
  return { connectionString: double.serviceBus.connectionString(), ...extra } as ServiceBusConfig;
}

export function seqBodies(from: number, to: number): string[] {
  return Array.from({ length: to - from }, (_, i) => JSON.stringify({ seq: from + i }));
}

/**
 * Config spec of the `azure-event-hubs` connector, its defaults, and the resolved config: the
 * "event hub endpoint" (`EventHubEndpoint`) the reader works on, which `azure-iot-hub` builds from
 * its own config for the hub's built-in endpoint.
 */
import { Type, type Static } from '@sinclair/typebox';
import { parseAzureConnectionString } from '../azure-common/index.ts';

export const EVENT_HUBS_DEFAULTS = {
  consumerGroup: '$Default',
  startPosition: 'latest' as StartPositionKind,
  maxBatchSize: 500,
  maxWaitTimeMs: 1000,
  loadBalancing: 'balanced' as 'balanced' | 'greedy',
  ownershipExpirationSeconds: 30,
} as const;

export type StartPositionKind = 'latest' | 'earliest' | 'enqueuedTime';

export const EventHubsConfigSpec = Type.Object({
  connectionString: Type.String({
    minLength: 1, secret: true,
    description: 'Connection string of a shared access policy with the Listen right (and Send for downlinks): the namespace\'s (Event Hubs namespace → Shared access policies) plus eventHubName, or the event hub\'s own (Event hub → Shared access policies), which ends in ;EntityPath=<event hub>. Not an IoT Hub or device connection string.',
    examples: ['Endpoint=sb://my-namespace.servicebus.windows.net/;SharedAccessKeyName=cloudbridge;SharedAccessKey=<key>;EntityPath=telemetry'],
  }),
  eventHubName: Type.Optional(Type.String({
    minLength: 1, maxLength: 256, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$',
    description: 'Name of the event hub to read. Default: the connection string\'s EntityPath (they must agree when both are given).',
    examples: ['telemetry'],
  })),
  consumerGroup: Type.Optional(Type.String({
    minLength: 1, maxLength: 50, default: EVENT_HUBS_DEFAULTS.consumerGroup,
    description: 'Consumer group to read with. Give Cloudbridge a consumer group of its own (Event hub → Consumer groups → + Consumer group): another application reading the same group takes partitions away from it, and a partition allows at most 5 readers per group.',
    examples: ['cloudbridge'],
  })),
  startPosition: Type.Optional(Type.Union([Type.Literal('latest'), Type.Literal('earliest'), Type.Literal('enqueuedTime')], {
    default: EVENT_HUBS_DEFAULTS.startPosition,
    description: 'Where a partition with no checkpoint is read from: latest (events enqueued from now on), earliest (the oldest event the hub keeps) or enqueuedTime (startEnqueuedTime). Only where no checkpoint exists: once an event of a partition is stored, reading resumes right after it.',
    examples: ['earliest'],
  })),
  startEnqueuedTime: Type.Optional(Type.String({
    pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2})$',
    description: 'With startPosition enqueuedTime: the enqueued time to start from (ISO 8601, e.g. 2026-01-31T00:00:00Z).',
    examples: ['2026-01-31T00:00:00Z'],
  })),
  maxBatchSize: Type.Optional(Type.Integer({
    minimum: 1, maximum: 5000, default: EVENT_HUBS_DEFAULTS.maxBatchSize,
    description: 'Most events of one partition handed to the pipeline at once (one delivery). The SDK prefetches 3 times as many.',
    examples: [500],
  })),
  maxWaitTimeMs: Type.Optional(Type.Integer({
    minimum: 10, maximum: 60_000, default: EVENT_HUBS_DEFAULTS.maxWaitTimeMs,
    description: 'Longest a partition waits to fill a batch before handing over what it has.',
    examples: [1000],
  })),
  loadBalancing: Type.Optional(Type.Union([Type.Literal('balanced'), Type.Literal('greedy')], {
    default: EVENT_HUBS_DEFAULTS.loadBalancing,
    description: 'How the instances of Cloudbridge sharing one database split the partitions (the SDK\'s load balancer over Cloudbridge\'s leases): balanced claims one partition per cycle until the shares are even; greedy claims its whole share at once (faster start and takeover, more moves while instances come and go).',
    examples: ['balanced'],
  })),
  ownershipExpirationSeconds: Type.Optional(Type.Integer({
    minimum: 6, maximum: 600, default: EVENT_HUBS_DEFAULTS.ownershipExpirationSeconds,
    description: 'How long a partition\'s ownership lasts without renewal. Renewed every third of it (the load-balancing cycle); a dead instance\'s partitions are taken over within about this time.',
    examples: [30],
  })),
}, { additionalProperties: false, title: 'Azure Event Hubs' });

export type EventHubsConfig = Static<typeof EventHubsConfigSpec>;

export type StartPosition = { kind: 'latest' } | { kind: 'earliest' } | { kind: 'enqueuedTime'; enqueuedTimeMs: number };

/**
 * Everything the partition reader needs to read one event hub with one consumer group: the
 * `azure-event-hubs` config resolved, or what `azure-iot-hub` finds for its built-in endpoint.
 */
export interface EventHubEndpoint {
  /** A namespace connection string (with or without EntityPath); a secret. */
  connectionString: string;
  eventHubName: string;
  consumerGroup: string;
  startPosition: StartPosition;
  maxBatchSize: number;
  maxWaitTimeMs: number;
  loadBalancing: 'balanced' | 'greedy';
  ownershipExpirationSeconds: number;
}

export interface ResolvedEventHubsConfig extends EventHubEndpoint {
  /** The namespace host (no key), for messages and status. */
  host: string;
  keyName: string | undefined;
}

export function resolveEventHubsConfig(config: EventHubsConfig): ResolvedEventHubsConfig {
  const cs = parseAzureConnectionString(config.connectionString);
  const kind = config.startPosition ?? EVENT_HUBS_DEFAULTS.startPosition;
  const at = config.startEnqueuedTime ? Date.parse(config.startEnqueuedTime) : NaN;
  return {
    connectionString: config.connectionString,
    eventHubName: config.eventHubName || cs.entityPath || '',
    consumerGroup: config.consumerGroup || EVENT_HUBS_DEFAULTS.consumerGroup,
    startPosition: kind === 'enqueuedTime' && Number.isFinite(at) ? { kind, enqueuedTimeMs: at } : kind === 'earliest' ? { kind } : { kind: 'latest' },
    maxBatchSize: config.maxBatchSize ?? EVENT_HUBS_DEFAULTS.maxBatchSize,
    maxWaitTimeMs: config.maxWaitTimeMs ?? EVENT_HUBS_DEFAULTS.maxWaitTimeMs,
    loadBalancing: config.loadBalancing ?? EVENT_HUBS_DEFAULTS.loadBalancing,
    ownershipExpirationSeconds: config.ownershipExpirationSeconds ?? EVENT_HUBS_DEFAULTS.ownershipExpirationSeconds,
    host: cs.host,
    keyName: cs.keyName,
  };
}

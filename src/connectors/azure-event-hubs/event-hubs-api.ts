/**
 * The narrow client the Event Hubs source works with (unit tests may fake it); the SDK one is
 * `sdk-event-hubs-api.ts`, loaded on first use. SDK types are imported as types only (erased).
 */
import type { CheckpointStore, EventData, PartitionProperties, ReceivedEventData, Subscription, SubscriptionEventHandlers } from '@azure/event-hubs';

export type { CheckpointStore, EventData, PartitionProperties, ReceivedEventData, Subscription, SubscriptionEventHandlers };

export interface SubscribeSettings {
  maxBatchSize: number;
  maxWaitTimeMs: number;
  /** Where a partition without checkpoint starts (the SDK's EventPosition shape). */
  startPosition: { offset: string } | { enqueuedOn: number };
}

export interface EventHubsApi {
  /** The namespace host the SDK names ownerships and checkpoints with. */
  readonly fullyQualifiedNamespace: string;
  readonly eventHubName: string;
  getPartitionIds(signal?: AbortSignal): Promise<string[]>;
  getPartitionProperties(partitionId: string, signal?: AbortSignal): Promise<PartitionProperties>;
  /** Every partition, balanced between the instances through `store` (ownership and checkpoints). */
  subscribe(handlers: SubscriptionEventHandlers, settings: SubscribeSettings): Subscription;
  /** One partition, no store, no owner level (connection checks, the bench's raw consumer). */
  subscribePartition(partitionId: string, handlers: SubscriptionEventHandlers, settings: SubscribeSettings): Subscription;
  /** Sends events to the hub (one batch; the partition key picks the partition). */
  send(events: EventData[], options: { partitionKey?: string | undefined }, signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

export interface EventHubsApiOptions {
  connectionString: string;
  eventHubName: string;
  consumerGroup: string;
  /** This instance's owner id (the SDK's processor identifier). */
  owner: string;
  /** The ownership and checkpoint store the load balancer uses (null: no subscribe over all partitions). */
  store: CheckpointStore | null;
  loadBalancing: 'balanced' | 'greedy';
  ownershipExpirationMs: number;
  updateIntervalMs: number;
  /** Retries of each operation (default 3; a connection check gives 0, to answer at once). */
  maxRetries?: number | undefined;
}

export type EventHubsApiFactory = (o: EventHubsApiOptions) => EventHubsApi | Promise<EventHubsApi>;

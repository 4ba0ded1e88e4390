/**
 * EventHubsApi on `@azure/event-hubs` (the only file of the connector importing the SDK; loaded by
 * `sdkApiFor` on first use). One consumer client for reading, a producer client made on the first
 * send.
 */
import { EventHubConsumerClient, EventHubProducerClient, RetryMode } from '@azure/event-hubs';
import type { EventData, PartitionProperties, SubscribeOptions, Subscription, SubscriptionEventHandlers } from '@azure/event-hubs';
import { Receiver } from 'rhea-promise';
import { guardReceiverAddress, parseAzureConnectionString } from '../azure-common/index.ts';
import type { EventHubsApi, EventHubsApiOptions, SubscribeSettings } from './event-hubs-api.ts';

guardReceiverAddress(Receiver);

/** The SDK's checkpoint store is given at construction; a consumer without one never balances. */
const NO_STORE = undefined;

/**
 * The SDK's default retries wait 30 s between attempts (fixed), so a refused credential or receiver
 * took 90 s to surface; exponential from 0.5 s to 5 s keeps riding out blips and answers fast.
 */
function retryOptions(maxRetries: number): { maxRetries: number; retryDelayInMs: number; maxRetryDelayInMs: number; mode: RetryMode } {
  return { maxRetries, retryDelayInMs: 500, maxRetryDelayInMs: 5000, mode: RetryMode.Exponential };
}

export class SdkEventHubsApi implements EventHubsApi {
  readonly fullyQualifiedNamespace: string;
  readonly eventHubName: string;
  private readonly o: EventHubsApiOptions;
  private readonly consumer: EventHubConsumerClient;
  private producer: EventHubProducerClient | null = null;
  /** For single-partition reads: a consumer without the store (with one, the SDK would start at its checkpoint with owner level 0, taking the partition from its owner). */
  private plain: EventHubConsumerClient | null = null;
  private readonly entityInString: boolean;
  private readonly options: { identifier: string; retryOptions: ReturnType<typeof retryOptions> };

  constructor(o: EventHubsApiOptions) {
    this.o = o;
    this.eventHubName = o.eventHubName;
    this.entityInString = Boolean(parseAzureConnectionString(o.connectionString).entityPath);
    const options = {
      identifier: o.owner,
      retryOptions: retryOptions(o.maxRetries ?? 3),
      loadBalancingOptions: { strategy: o.loadBalancing, updateIntervalInMs: o.updateIntervalMs, partitionOwnershipExpirationIntervalInMs: o.ownershipExpirationMs },
    };
    const store = o.store ?? NO_STORE;
    this.options = options;
    if (store) {
      this.consumer = this.entityInString
        ? new EventHubConsumerClient(o.consumerGroup, o.connectionString, store, options)
        : new EventHubConsumerClient(o.consumerGroup, o.connectionString, o.eventHubName, store, options);
    } else {
      this.consumer = this.entityInString
        ? new EventHubConsumerClient(o.consumerGroup, o.connectionString, options)
        : new EventHubConsumerClient(o.consumerGroup, o.connectionString, o.eventHubName, options);
    }
    this.fullyQualifiedNamespace = this.consumer.fullyQualifiedNamespace;
  }

  getPartitionIds(signal?: AbortSignal): Promise<string[]> {
    return this.consumer.getPartitionIds({ abortSignal: signal });
  }

  getPartitionProperties(partitionId: string, signal?: AbortSignal): Promise<PartitionProperties> {
    return this.consumer.getPartitionProperties(partitionId, { abortSignal: signal });
  }

  subscribe(handlers: SubscriptionEventHandlers, s: SubscribeSettings): Subscription {
    return this.consumer.subscribe(handlers, this.subscribeOptions(s));
  }

  subscribePartition(partitionId: string, handlers: SubscriptionEventHandlers, s: SubscribeSettings): Subscription {
    if (this.o.store) {
      this.plain ??= this.entityInString
        ? new EventHubConsumerClient(this.o.consumerGroup, this.o.connectionString, { retryOptions: this.options.retryOptions })
        : new EventHubConsumerClient(this.o.consumerGroup, this.o.connectionString, this.o.eventHubName, { retryOptions: this.options.retryOptions });
    }
    return (this.plain ?? this.consumer).subscribe(partitionId, handlers, this.subscribeOptions(s));
  }

  async send(events: EventData[], options: { partitionKey?: string | undefined }, signal?: AbortSignal): Promise<void> {
    this.producer ??= this.entityInString
      ? new EventHubProducerClient(this.o.connectionString, { retryOptions: retryOptions(this.o.maxRetries ?? 3) })
      : new EventHubProducerClient(this.o.connectionString, this.o.eventHubName, { retryOptions: retryOptions(this.o.maxRetries ?? 3) });
    await this.producer.sendBatch(events, { abortSignal: signal, ...(options.partitionKey ? { partitionKey: options.partitionKey } : {}) });
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.consumer.close(), this.plain?.close(), this.producer?.close()]);
  }

  private subscribeOptions(s: SubscribeSettings): SubscribeOptions {
    return {
      maxBatchSize: s.maxBatchSize,
      maxWaitTimeInSeconds: s.maxWaitTimeMs / 1000,
      startPosition: 'offset' in s.startPosition ? { offset: s.startPosition.offset } : { enqueuedOn: s.startPosition.enqueuedOn },
      trackLastEnqueuedEventProperties: true,
      skipParsingBodyAsJson: true,
    };
  }
}

/**
 * The Event Hubs source, reusable: it reads one event hub endpoint (`EventHubEndpoint`: connection
 * string, hub, consumer group, start position, balancing) with `EventHubConsumerClient.subscribe`
 * over a `CheckpointStore` on the integration's leases (lease-checkpoint-store.ts), one
 * PartitionReader per partition this instance owns. `azure-event-hubs` is this source;
 * `azure-iot-hub` reads its built-in endpoint with it (give `service: 'IoT Hub'`).
 *
 *   new EventHubSource({ endpoint, createApi: (o) => sdkApiFor(o) }, ctx)
 *
 * start(): the hub's partitions are read (credentials, hub), the consumer group probed on one
 * partition (consuming nothing), then the subscription starts; the SDK claims this instance's share.
 * stop(): readers stop handing over, their deliveries commit with their checkpoints within drainMs,
 * then the subscription closes and the SDK gives the leases back (graceful hand-off).
 *
 * Redelivery model `checkpoint`; dedupe `none` (ADR 008, ADR 013).
 */
import { randomUUID } from 'node:crypto';
import type { Connector, ConnectorContext } from '../../core/connector.ts';
import { CloudbridgeError, toCloudbridgeError } from '../../core/errors.ts';
import type { DedupeMode, EncodedDownlink } from '../../core/model.ts';
import type { PartitionLease, PartitionStatus } from '../../core/partitions.ts';
import { SourceLifecycle } from '../../core/source-lifecycle.ts';
import type { EventHubEndpoint, StartPosition } from './config-spec.ts';
import { probeConsumerGroup } from './connection-check.ts';
import { buildEvent } from './downlink.ts';
import type { EventHubsApi, EventHubsApiFactory, SubscribeSettings, Subscription } from './event-hubs-api.ts';
import { translateEventHubsError } from './event-hubs-errors.ts';
import { LeaseCheckpointStore } from './lease-checkpoint-store.ts';
import { PartitionReader, StopPartition } from './partition-reader.ts';
import { leaseKey, parsePosition } from './position.ts';

/** Messages of a partition are covered by its checkpoint, committed with them (ADR 008). */
export const EVENT_HUBS_DEDUPE: DedupeMode = 'none';

/** Deliveries one partition may have in the pipeline at once. */
export const DELIVERIES_IN_FLIGHT_PER_PARTITION = 4;

/** This process's lease owner id: unique per process (not the host name, shared by containers). */
export const PROCESS_OWNER_ID = `cloudbridge-${randomUUID()}`;

export interface EventHubSourceOptions {
  endpoint: EventHubEndpoint;
  createApi: EventHubsApiFactory;
  /** `Event Hubs` (default) or `IoT Hub`, in messages and logs. */
  service?: string | undefined;
  /** The namespace host and policy name (no key), for messages. */
  host: string;
  keyName: string | undefined;
  /** Lease owner id (default PROCESS_OWNER_ID; tests running two instances in one process pass their own). */
  owner?: string | undefined;
  maxInFlight?: number | undefined;
  /** Probe the consumer group at start (default true). */
  probeConsumerGroup?: boolean | undefined;
}

/** A partition in the status (`details.partitions`): the generic row plus Event Hubs facts. */
export interface EventHubPartitionStatus extends PartitionStatus {
  partitionId: string;
  /** Sequence number of the last event stored (from the checkpoint). */
  checkpointSequenceNumber: number | null;
  /** The partition's last enqueued sequence number, as the receiver last reported it (read here only). */
  lastEnqueuedSequenceNumber: number | null;
  /** Events enqueued and not yet stored (read here only). */
  lagEvents: number | null;
  events: number;
  rewinds: number;
  lastCommitAt: number | null;
}

export function toSubscribePosition(p: StartPosition): SubscribeSettings['startPosition'] {
  if (p.kind === 'earliest') return { offset: '-1' };
  if (p.kind === 'enqueuedTime') return { enqueuedOn: p.enqueuedTimeMs };
  return { offset: '@latest' };
}

export class EventHubSource implements Connector {
  readonly owner: string;
  private readonly o: EventHubSourceOptions;
  private readonly e: EventHubEndpoint;
  private readonly ctx: ConnectorContext;
  private readonly life: SourceLifecycle;
  private readonly store: LeaseCheckpointStore;
  private readonly ttlMs: number;
  private readonly readers = new Map<string, PartitionReader>();
  private readonly held = new Map<string, PartitionLease>();
  private readonly troubled = new Map<string, CloudbridgeError>();
  private api: EventHubsApi | null = null;
  private subscription: Subscription | null = null;
  private partitionIds: string[] = [];
  private connected = false;
  private namespace = '';
  readonly counters = { claimed: 0, lost: 0, errors: 0 };

  constructor(o: EventHubSourceOptions, ctx: ConnectorContext) {
    this.o = o;
    this.e = o.endpoint;
    this.ctx = ctx;
    this.owner = o.owner ?? PROCESS_OWNER_ID;
    this.ttlMs = this.e.ownershipExpirationSeconds * 1000;
    this.store = new LeaseCheckpointStore({
      leases: ctx.leases, owner: this.owner, ttlMs: this.ttlMs, log: ctx.log,
      held: (partitionId, lease) => {
        if (!this.held.has(partitionId)) this.counters.claimed++;
        this.held.set(partitionId, lease);
      },
      lost: (partitionId) => this.lose(partitionId, 'its lease was claimed by another instance'),
      wantsNewPump: (partitionId) => this.readers.get(partitionId)?.state === 'rewound',
    });
    this.life = new SourceLifecycle({
      name: `the ${this.service} source`,
      ctx,
      steps: {
        open: () => this.open(),
        halt: () => { for (const r of this.readers.values()) r.halt(); },
        drained: () => Promise.all([...this.readers.values()].map((r) => r.idle())),
        close: () => this.close(),
      },
    });
  }

  private get service(): string {
    return this.o.service ?? 'Event Hubs';
  }

  async start(): Promise<void> {
    await this.life.start();
    this.connected = true;
    this.ctx.log.info({ eventHubName: this.e.eventHubName, consumerGroup: this.e.consumerGroup, partitions: this.partitionIds.length, owner: this.owner }, `reading from ${this.service}`);
  }

  stop(opts: { drainMs?: number } = {}): Promise<void> {
    return this.life.stop(opts.drainMs);
  }

  private translate(err: unknown, operation: string, partitionId?: string, sending = false): CloudbridgeError {
    return translateEventHubsError(err, { service: this.o.service, host: this.o.host, keyName: this.o.keyName, eventHubName: this.e.eventHubName, consumerGroup: this.e.consumerGroup, operation, partitionId, sending });
  }

  private async open(): Promise<void> {
    const updateIntervalMs = Math.min(10_000, Math.max(1000, Math.floor(this.ttlMs / 6)));
    this.api = await this.o.createApi({
      connectionString: this.e.connectionString, eventHubName: this.e.eventHubName, consumerGroup: this.e.consumerGroup,
      owner: this.owner, store: this.store, loadBalancing: this.e.loadBalancing, ownershipExpirationMs: this.ttlMs, updateIntervalMs,
    });
    try {
      this.partitionIds = await this.api.getPartitionIds(AbortSignal.timeout(60_000));
    } catch (err) {
      throw this.translate(err, 'reading the event hub\'s properties');
    }
    this.namespace = this.api.fullyQualifiedNamespace;
    if (this.o.probeConsumerGroup !== false && this.partitionIds[0] !== undefined) {
      const probe = await probeConsumerGroup(this.api, this.partitionIds[0], AbortSignal.timeout(60_000));
      if (probe.error) throw this.translate(probe.error, 'opening a receiver', this.partitionIds[0]);
    }
    this.subscription = this.api.subscribe({
      processInitialize: async (context) => { this.startReader(context.partitionId); },
      processEvents: async (events, context) => {
        const reader = this.readers.get(context.partitionId);
        if (!reader) return;
        this.clearTrouble(context.partitionId);
        await reader.process(events, context.lastEnqueuedEventProperties);
      },
      processError: async (err, context) => { this.onError(err, context.partitionId); },
      processClose: async (reason, context) => {
        const reader = this.readers.get(context.partitionId);
        if (reason === 'OwnershipLost') reader?.markLost();
      },
    }, { maxBatchSize: this.e.maxBatchSize, maxWaitTimeMs: this.e.maxWaitTimeMs, startPosition: toSubscribePosition(this.e.startPosition) });
  }

  private async close(): Promise<void> {
    await this.subscription?.close().catch((err: unknown) => this.ctx.log.warn({ err: toCloudbridgeError(err).message }, 'closing the Event Hubs subscription failed'));
    this.subscription = null;
    await this.api?.close();
    this.api = null;
  }

  private startReader(partitionId: string): void {
    const key = leaseKey(this.namespace, this.e.eventHubName, this.e.consumerGroup, partitionId);
    const lease = this.store.tokenOf(key);
    const claimed = this.held.get(partitionId);
    if (!lease || !claimed) {
      this.ctx.log.warn({ partitionId }, 'a partition pump started without a lease held here; it delivers nothing');
      return;
    }
    this.readers.get(partitionId)?.markLost();
    const reader = new PartitionReader({
      partitionId, partition: key, eventHubName: this.e.eventHubName, lease, checkpoint: claimed.checkpoint,
      maxInFlight: this.o.maxInFlight ?? DELIVERIES_IN_FLIGHT_PER_PARTITION, dedupe: EVENT_HUBS_DEDUPE,
      deliver: (messages, checkpoint, signal) => this.ctx.deliver(messages, signal, { checkpoint }),
      deliverySignal: this.life.deliverySignal,
      stillOwned: async () => (await this.ctx.leases.renew(key, lease, this.ttlMs)) !== null,
      clock: this.ctx.clock, log: this.ctx.log,
    });
    if (!this.life.running && this.life.phase !== 'starting') reader.halt();
    this.readers.set(partitionId, reader);
  }

  private lose(partitionId: string, why: string): void {
    const reader = this.readers.get(partitionId);
    this.held.delete(partitionId);
    if (!reader || reader.state === 'lost') return;
    this.counters.lost++;
    reader.markLost();
    this.ctx.log.info({ partitionId, why }, `${this.service} partition no longer owned here; its reader stops`);
  }

  private onError(err: unknown, partitionId: string): void {
    if (err instanceof StopPartition) return;
    const translated = this.translate(err, partitionId ? 'reading' : 'balancing the partitions', partitionId || undefined);
    const code = (translated.details as { azureCode?: string }).azureCode;
    if (code === 'ReceiverDisconnectedError' && partitionId) {
      const lease = this.store.known.get(leaseKey(this.namespace, this.e.eventHubName, this.e.consumerGroup, partitionId));
      this.lose(partitionId, 'another receiver took the partition');
      // Another Cloudbridge instance claimed it through the leases: balancing, not trouble.
      if (lease?.owner && lease.owner !== this.owner) return;
    }
    if (!this.life.running) return;
    this.counters.errors++;
    this.troubled.set(partitionId, translated);
    this.ctx.log.warn({ partitionId, code: translated.code, err: translated.message }, `${this.service} receive failed; the SDK retries`);
    if (this.connected) {
      this.connected = false;
      this.ctx.reportState('disconnected', translated);
    }
  }

  private clearTrouble(partitionId: string): void {
    if (this.troubled.size === 0) return;
    this.troubled.delete(partitionId);
    this.troubled.delete('');
    if (!this.connected && this.troubled.size === 0 && this.life.running) {
      this.connected = true;
      this.ctx.reportState('connected');
    }
  }

  status(): Record<string, unknown> {
    return {
      eventHubName: this.e.eventHubName,
      consumerGroup: this.e.consumerGroup,
      host: this.o.host,
      owner: this.owner,
      partitionCount: this.partitionIds.length,
      partitionsReadHere: [...this.readers.values()].filter((r) => r.state === 'reading' || r.state === 'rewinding').length,
      partitions: this.partitionStatus(),
      leases: { ...this.counters },
    };
  }

  /** Per partition: owner, state, checkpoint, last enqueued sequence number and lag. */
  partitionStatus(): EventHubPartitionStatus[] {
    const now = this.ctx.clock.now();
    const ids = new Set([...this.partitionIds, ...this.readers.keys()]);
    return [...ids].sort((a, b) => Number(a) - Number(b) || a.localeCompare(b)).map((partitionId) => {
      const lease = this.store.known.get(leaseKey(this.namespace, this.e.eventHubName, this.e.consumerGroup, partitionId));
      const reader = this.readers.get(partitionId);
      const here = reader !== undefined && (reader.state === 'reading' || reader.state === 'rewinding');
      const owner = here ? this.owner : lease?.owner && lease.expiresAt > now ? lease.owner : null;
      const checkpoint = (here ? reader.committed : null) ?? lease?.checkpoint ?? null;
      const checkpointSequenceNumber = parsePosition(checkpoint)?.sequenceNumber ?? null;
      const lastEnqueuedSequenceNumber = here ? reader.lastEnqueued?.sequenceNumber ?? null : null;
      const lagEvents = lastEnqueuedSequenceNumber === null ? null : Math.max(0, lastEnqueuedSequenceNumber - (checkpointSequenceNumber ?? -1));
      const lastEnqueuedMs = reader?.lastEnqueued?.enqueuedOn?.getTime();
      const lagMs = here && lastEnqueuedMs !== undefined ? Math.max(0, lagEvents === 0 ? 0 : lastEnqueuedMs - (reader.lastRead?.enqueuedMs ?? lastEnqueuedMs)) : null;
      return {
        partition: partitionId, partitionId,
        state: here ? 'reading' : owner ? 'elsewhere' : 'unowned',
        owner, ownedHere: here, checkpoint, checkpointSequenceNumber, lastEnqueuedSequenceNumber, lagEvents, lagMs,
        committed: reader?.counters.committed ?? 0, throttled: 0,
        events: reader?.counters.events ?? 0, rewinds: reader?.counters.rewinds ?? 0, lastCommitAt: reader?.lastCommitAt ?? null,
      };
    });
  }

  /** Sends a downlink event to the hub (properties and partition key from the encoder's metadata). */
  async sendDownlink(msg: EncodedDownlink, signal?: AbortSignal): Promise<void> {
    if (!this.life.running || !this.api) throw new CloudbridgeError('INTEGRATION_NOT_RUNNING', `the ${this.service} source is ${this.life.phase}`);
    const { event, partitionKey } = buildEvent(msg);
    try {
      await this.api.send([event], { partitionKey }, signal);
    } catch (err) {
      const error = this.translate(err, 'sending a downlink', undefined, true);
      throw new CloudbridgeError('DOWNLINK_FAILED', error.message, { ...error.details, reason: error.code }, { cause: err, retryable: error.retryable });
    }
  }
}

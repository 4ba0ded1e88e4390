/**
 * The Event Hubs namespace: hubs with partitions and consumer groups, producer links (gateway
 * routing by partition key with the service's hash, round robin otherwise, or a fixed partition),
 * consumer links with start-position filters and epochs, `$management` READ, and the API the test
 * hooks and the IoT Hub endpoint use to add and inspect events.
 */
import type { Delivery, Sender } from 'rhea';
import { peekMessage } from '../amqp-message.ts';
import type { IncomingTransfer } from '../batch.ts';
import type { AmqpErrorInfo } from '../conditions.ts';
import { CONDITIONS, amqpError } from '../conditions.ts';
import type { MessageSpec } from '../message-builder.ts';
import { buildMessage } from '../message-builder.ts';
import type { AmqpNamespace, AttachRequest, AttachResult, IncomingHandler, NamespaceService, OutgoingHandler } from '../namespace.ts';
import type { RequestNode } from '../request-response.ts';
import type { SasKey } from '../sas.ts';
import type { NormalizedHub } from '../topology.ts';
import { ConsumerLink, epochDecision, stolenError } from './consumers.ts';
import { eventHubsManagementNode } from './management.ts';
import { partitionForKey } from './partition-key.ts';
import { PartitionLog } from './partition-log.ts';
import { parseSelector, pastTheEnd, selectorFromFilter, startSequenceNumber } from './selector.ts';

export interface HubState {
  name: string;
  spec: NormalizedHub;
  createdAt: Date;
  partitions: PartitionLog[];
  consumers: Map<string, ConsumerLink[]>;
  roundRobin: number;
}

export interface ConsumerSummary { hub: string; consumerGroup: string; partitionId: string; name: string; epoch: number | undefined; nextSequenceNumber: number }

const CONSUMER = /^([^/]+)\/ConsumerGroups\/([^/]+)\/Partitions\/([^/]+)$/i;
const PRODUCER = /^([^/]+)(?:\/Partitions\/([^/]+))?$/i;

function asNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (Buffer.isBuffer(v) && v.length === 8) return Number(v.readBigInt64BE());
  if (v !== null && typeof v === 'object' && 'value' in v) return asNumber((v as { value: unknown }).value);
  return undefined;
}

function capabilities(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

export class EventHubsService implements NamespaceService {
  readonly requestNodes: RequestNode[];
  private readonly hubs = new Map<string, HubState>();
  private readonly namespaceKeys: SasKey[];
  private readonly host: () => string;

  constructor(hubs: NormalizedHub[], namespaceKeys: SasKey[], namespace: AmqpNamespace, host: () => string) {
    this.namespaceKeys = namespaceKeys;
    this.host = host;
    for (const spec of hubs) {
      this.hubs.set(spec.name.toLowerCase(), {
        name: spec.name, spec, createdAt: new Date(), roundRobin: 0, consumers: new Map(),
        partitions: Array.from({ length: spec.partitions }, (_, i) => new PartitionLog(String(i))),
      });
    }
    this.requestNodes = [eventHubsManagementNode(this, (ctx, path) => namespace.isAuthorized(ctx.conn, path))];
  }

  keysFor(entity: string): SasKey[] {
    return [...this.namespaceKeys, ...(this.hub(entity)?.spec.keys ?? [])];
  }

  hub(name: string): HubState | undefined {
    return this.hubs.get(name.toLowerCase());
  }

  hubNames(): string[] {
    return [...this.hubs.values()].map((h) => h.name);
  }

  partition(hubName: string, partitionId: string): PartitionLog | undefined {
    return this.hub(hubName)?.partitions.find((p) => p.id === partitionId);
  }

  private notFound(path: string): AmqpErrorInfo {
    return amqpError(CONDITIONS.notFound, `The messaging entity 'sb://${this.host()}/${path}' could not be found.`);
  }

  private badPartition(hub: HubState, id: string | undefined): AmqpErrorInfo | undefined {
    if (id === undefined || hub.partitions.some((p) => p.id === id)) return undefined;
    return amqpError(CONDITIONS.argumentOutOfRange, `The specified partition is invalid for an EventHub partition sender or receiver. It should be between 0 and ${hub.partitions.length - 1}.`);
  }

  attachOutgoing(req: AttachRequest): AttachResult<OutgoingHandler> {
    const m = CONSUMER.exec(req.address);
    const hub = this.hub(m?.[1] ?? req.address.split('/')[0] ?? '');
    if (m === null || hub === undefined) return { error: this.notFound(req.address) };
    const group = hub.spec.consumerGroups.find((g) => g.toLowerCase() === (m[2] ?? '').toLowerCase());
    if (group === undefined) return { error: this.notFound(`${hub.name}/ConsumerGroups/${m[2] ?? ''}`) };
    const partitionError = this.badPartition(hub, m[3]);
    const log = hub.partitions.find((p) => p.id === m[3]);
    if (partitionError !== undefined || log === undefined) return { error: partitionError ?? this.notFound(req.address) };

    const expression = selectorFromFilter(req.remote.source?.filter);
    const position = expression === undefined ? { kind: 'earliest' as const } : parseSelector(expression);
    if ('error' in position) return { error: amqpError(CONDITIONS.argumentError, position.error) };
    const beyond = pastTheEnd(log, position);
    if (beyond !== undefined) return { error: beyond };

    const props = req.remote.properties ?? {};
    const epoch = asNumber(props['com.microsoft:epoch']);
    const name = String(props['com.microsoft:receiver-name'] ?? req.remote.name ?? req.link.name);
    const key = `${group.toLowerCase()}/${log.id}`;
    const existing = hub.consumers.get(key) ?? [];
    const decision = epochDecision(existing, name, epoch);
    if ('refuse' in decision) return { error: decision.refuse };
    for (const old of decision.steal) old.disconnect(stolenError(name, epoch ?? 0, old));

    const wantsMetric = capabilities(req.remote.desired_capabilities).includes('com.microsoft:enable-receiver-runtime-metric');
    const consumer = new ConsumerLink(req.link as Sender, log, startSequenceNumber(log, position), {
      name, epoch, runtimeMetric: wantsMetric,
      onClosed: (c) => {
        const list = hub.consumers.get(key) ?? [];
        hub.consumers.set(key, list.filter((x) => x !== c));
      },
    });
    hub.consumers.set(key, [...(hub.consumers.get(key) ?? []), consumer]);
    const attach: Record<string, unknown> = wantsMetric ? { offered_capabilities: ['com.microsoft:enable-receiver-runtime-metric'] } : {};
    return { handler: consumer, attach };
  }

  attachIncoming(req: AttachRequest): AttachResult<IncomingHandler> {
    const m = PRODUCER.exec(req.address);
    const hub = this.hub(m?.[1] ?? '');
    if (m === null || hub === undefined) return { error: this.notFound(req.address) };
    const partitionError = this.badPartition(hub, m[2]);
    if (partitionError !== undefined) return { error: partitionError };
    const fixed = m[2];
    const handler: IncomingHandler = {
      onTransfer: (transfer: IncomingTransfer, delivery: Delivery) => {
        if (transfer.sizeBytes > hub.spec.maxMessageSizeBytes) {
          delivery.reject(amqpError(CONDITIONS.messageSizeExceeded, `The received message (delivery-id:${delivery.id}, size:${transfer.sizeBytes} bytes) exceeds the limit (${hub.spec.maxMessageSizeBytes} bytes) currently allowed on the link.`));
          return;
        }
        const first = transfer.messages[0];
        const keyed = transfer.envelopeAnnotations['x-opt-partition-key'] ?? (first === undefined ? undefined : peekMessage(first).message_annotations?.['x-opt-partition-key']);
        const partitionKey = typeof keyed === 'string' ? keyed : undefined;
        this.append(hub, transfer.messages, fixed, partitionKey);
        delivery.accept();
      },
    };
    return { handler, attach: { max_message_size: hub.spec.maxMessageSizeBytes } };
  }

  /** Routes and appends raw events (one transfer's worth: they stay together on one partition). */
  append(hub: HubState, raws: Buffer[], partitionId?: string, partitionKey?: string, annotations?: Record<string, unknown>): PartitionLog {
    let log: PartitionLog | undefined;
    if (partitionId !== undefined) log = hub.partitions.find((p) => p.id === partitionId);
    else if (partitionKey !== undefined) log = hub.partitions[partitionForKey(partitionKey, hub.partitions.length)];
    else log = hub.partitions[hub.roundRobin++ % hub.partitions.length];
    if (log === undefined) throw new RangeError(`No partition '${String(partitionId)}' in hub '${hub.name}'`);
    for (const raw of raws) log.append(raw, annotations === undefined ? { partitionKey } : { partitionKey, annotations });
    log.notify();
    return log;
  }

  /** Test hook: publishes events as a producer would. */
  publish(hubName: string, events: MessageSpec[], opts: { partitionId?: string; partitionKey?: string } = {}): { partitionId: string; sequenceNumbers: number[] } {
    const hub = this.hub(hubName);
    if (hub === undefined) throw new RangeError(`No event hub '${hubName}'`);
    const raws = events.map((e) => buildMessage(e));
    const log = this.append(hub, raws, opts.partitionId, opts.partitionKey);
    const end = log.endSequenceNumber;
    return { partitionId: log.id, sequenceNumbers: raws.map((_, i) => end - raws.length + i) };
  }

  consumers(hubName?: string): ConsumerSummary[] {
    const out: ConsumerSummary[] = [];
    for (const hub of this.hubs.values()) {
      if (hubName !== undefined && hub.name.toLowerCase() !== hubName.toLowerCase()) continue;
      for (const [key, list] of hub.consumers) {
        const [cg = '', pid = ''] = key.split('/');
        const group = hub.spec.consumerGroups.find((g) => g.toLowerCase() === cg) ?? cg;
        for (const c of list) out.push({ hub: hub.name, consumerGroup: group, partitionId: pid, name: c.options.name, epoch: c.options.epoch, nextSequenceNumber: c.nextSequenceNumber });
      }
    }
    return out;
  }

  /** Test hook: detaches consumer links (all, or those of one consumer group / partition). */
  disconnectConsumers(hubName: string, error: AmqpErrorInfo, filter: { consumerGroup?: string; partitionId?: string } = {}): number {
    const hub = this.hub(hubName);
    if (hub === undefined) return 0;
    let n = 0;
    for (const [key, list] of hub.consumers) {
      const [cg, pid] = key.split('/');
      if (filter.consumerGroup !== undefined && filter.consumerGroup.toLowerCase() !== cg) continue;
      if (filter.partitionId !== undefined && filter.partitionId !== pid) continue;
      for (const c of [...list]) { c.disconnect(error); n++; }
    }
    return n;
  }
}

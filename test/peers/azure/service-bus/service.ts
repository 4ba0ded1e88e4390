/**
 * The Service Bus namespace: queues, topics with subscriptions (every subscription gets every
 * message), dead-letter queues, sender links (broker-assigned MessageId, time to live, scheduled
 * enqueue time), receiver links in peek-lock or receive-and-delete mode, sessions on
 * session-enabled entities (`com.microsoft:session-filter`), the management node, and the API the
 * test hooks use.
 */
import { randomUUID } from 'node:crypto';
import rhea from 'rhea';
import type { Delivery } from 'rhea';
import { peekMessage, withProperties } from '../amqp-message.ts';
import type { IncomingTransfer } from '../batch.ts';
import type { AmqpErrorInfo } from '../conditions.ts';
import { CONDITIONS, amqpError } from '../conditions.ts';
import type { MessageSpec } from '../message-builder.ts';
import { buildMessage } from '../message-builder.ts';
import type { AmqpNamespace, AttachRequest, AttachResult, IncomingHandler, NamespaceService, OutgoingHandler } from '../namespace.ts';
import type { RequestNode } from '../request-response.ts';
import type { SasKey } from '../sas.ts';
import type { NormalizedRules, NormalizedTopology } from '../topology.ts';
import { serviceBusManagementNode } from './management.ts';
import { MessageStore, SESSION_LOCK_LOST } from './message-store.ts';
import { SbReceiverLink } from './receiver-link.ts';
import { SessionLocks } from './session-locks.ts';

interface Counter { next: number }
interface QueueState { kind: 'queue'; name: string; store: MessageStore; seq: Counter }
interface SubscriptionState { name: string; store: MessageStore }
interface TopicState { kind: 'topic'; name: string; subscriptions: Map<string, SubscriptionState>; seq: Counter }
type SendTarget = QueueState | TopicState;

const DLQ = '$DeadLetterQueue';
const SESSION_FILTER = 'com.microsoft:session-filter';
/** .NET ticks (100 ns since 0001-01-01) at the Unix epoch. */
const EPOCH_TICKS = 621_355_968_000_000_000n;

/** `com.microsoft:locked-until-utc` as Service Bus sends it: .NET ticks as an AMQP long. */
function lockedUntilTicks(ms: number): unknown {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(ms) * 10_000n + EPOCH_TICKS);
  return rhea.types.wrap_long(b);
}

function entityStores(path: string, rules: NormalizedRules): MessageStore {
  const dlqRules = { ...rules, defaultTtlMs: undefined, deadLetterOnExpiration: false, requiresSession: false };
  return new MessageStore(path, rules, new MessageStore(`${path}/${DLQ}`, dlqRules, undefined));
}

function timeMs(v: unknown): number | undefined {
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'number') return v;
  return undefined;
}

export class ServiceBusService implements NamespaceService {
  readonly requestNodes: RequestNode[];
  readonly maxMessageSizeBytes: number;
  private readonly entities = new Map<string, SendTarget>();
  private readonly keys: SasKey[];
  private readonly host: () => string;

  constructor(topology: NormalizedTopology['serviceBus'], namespace: AmqpNamespace, host: () => string) {
    this.keys = topology.keys;
    this.host = host;
    this.maxMessageSizeBytes = topology.maxMessageSizeBytes;
    for (const q of topology.queues) {
      this.entities.set(q.name.toLowerCase(), { kind: 'queue', name: q.name, store: entityStores(q.name, q), seq: { next: 1 } });
    }
    for (const t of topology.topics) {
      const subscriptions = new Map<string, SubscriptionState>();
      for (const s of t.subscriptions) {
        subscriptions.set(s.name.toLowerCase(), { name: s.name, store: entityStores(`${t.name}/Subscriptions/${s.name}`, s) });
      }
      this.entities.set(t.name.toLowerCase(), { kind: 'topic', name: t.name, subscriptions, seq: { next: 1 } });
    }
    this.requestNodes = [serviceBusManagementNode({
      store: (entity) => this.store(entity),
      schedule: (entity, raws) => {
        const target = this.entities.get(entity.toLowerCase());
        return target === undefined ? undefined : raws.map((raw) => this.ingest(target, raw));
      },
      cancelScheduled: (entity, seqs) => {
        const target = this.entities.get(entity.toLowerCase());
        if (target === undefined) return false;
        const stores = target.kind === 'queue' ? [target.store] : [...target.subscriptions.values()].map((s) => s.store);
        return seqs.every((seq) => stores.map((s) => s.cancelScheduled(seq)).some(Boolean));
      },
      isAuthorized: (ctx, path) => namespace.isAuthorized(ctx.conn, path),
    })];
  }

  keysFor(): SasKey[] {
    return this.keys;
  }

  /** The store behind a receivable path: `q1`, `q1/$DeadLetterQueue`, `t1/Subscriptions/s1[/$DeadLetterQueue]`. */
  store(path: string): MessageStore | undefined {
    const parts = path.split('/');
    const dead = parts[parts.length - 1]?.toLowerCase() === DLQ.toLowerCase();
    if (dead) parts.pop();
    const entity = this.entities.get((parts[0] ?? '').toLowerCase());
    let store: MessageStore | undefined;
    if (entity?.kind === 'queue' && parts.length === 1) store = entity.store;
    if (entity?.kind === 'topic' && parts.length === 3 && parts[1]?.toLowerCase() === 'subscriptions') {
      store = entity.subscriptions.get((parts[2] ?? '').toLowerCase())?.store;
    }
    return dead ? store?.deadLetterQueue : store;
  }

  private notFound(path: string): AmqpErrorInfo {
    return amqpError(CONDITIONS.notFound, `The messaging entity 'sb://${this.host()}/${path}' could not be found.`);
  }

  attachOutgoing(req: AttachRequest): AttachResult<OutgoingHandler> {
    const store = this.store(req.address);
    if (store === undefined) {
      const topic = this.entities.get(req.address.toLowerCase());
      if (topic?.kind === 'topic') return { error: amqpError(CONDITIONS.notAllowed, `Cannot receive from topic '${topic.name}'; receive from one of its subscriptions.`) };
      return { error: this.notFound(req.address) };
    }
    const filter = req.remote.source?.filter ?? {};
    const mode = req.remote.snd_settle_mode === 1 ? 'receiveAndDelete' : 'peekLock';
    const sessionful = Object.hasOwn(filter, SESSION_FILTER);
    if (store.rules.requiresSession !== sessionful) {
      return { error: amqpError(CONDITIONS.notAllowed, store.rules.requiresSession
        ? 'It is not possible for an entity that requires sessions to create a non-sessionful message receiver.'
        : 'A sessionful message receiver cannot be created on an entity that does not require sessions. Ensure RequiresSession is set to true when creating a Queue or Subscription to enable sessionful behavior.') };
    }
    if (!sessionful) return { handler: new SbReceiverLink(store, mode) };
    const asked = filter[SESSION_FILTER];
    const accepted = store.acceptSession(typeof asked === 'string' ? asked : undefined, SessionLocks.newOwner(), () => req.link.close(SESSION_LOCK_LOST));
    if (!accepted.ok) return { error: accepted.error };
    const { lock } = accepted;
    return {
      handler: new SbReceiverLink(store, mode, lock),
      attach: {
        source: { ...req.remote.source, filter: { ...filter, [SESSION_FILTER]: lock.sessionId } },
        properties: { ...req.remote.properties, 'com.microsoft:locked-until-utc': lockedUntilTicks(lock.lockedUntilMs) },
      },
    };
  }

  attachIncoming(req: AttachRequest): AttachResult<IncomingHandler> {
    const target = this.entities.get(req.address.toLowerCase());
    if (target === undefined) {
      if (this.store(req.address) !== undefined) return { error: amqpError(CONDITIONS.notAllowed, `Cannot send to '${req.address}'.`) };
      return { error: this.notFound(req.address) };
    }
    const handler: IncomingHandler = {
      onTransfer: (transfer: IncomingTransfer, delivery: Delivery) => {
        if (transfer.sizeBytes > this.maxMessageSizeBytes) {
          delivery.reject(amqpError(CONDITIONS.messageSizeExceeded, `The received message (delivery-id:${delivery.id}, size:${transfer.sizeBytes} bytes) exceeds the limit (${this.maxMessageSizeBytes} bytes) currently allowed on the link.`));
          return;
        }
        if (target.kind === 'queue' && target.store.rules.requiresSession && transfer.messages.some((raw) => peekMessage(raw).group_id == null)) {
          delivery.reject(amqpError(CONDITIONS.notAllowed, 'The SessionId was not set on a message, and it cannot be sent to the entity. Entities that have session support enabled can only receive messages that have the SessionId set to a valid value.'));
          return;
        }
        for (const raw of transfer.messages) this.ingest(target, raw);
        delivery.accept();
      },
    };
    return { handler, attach: { max_message_size: this.maxMessageSizeBytes } };
  }

  /** Enqueues one encoded message on a queue or topic; returns its sequence number. */
  private ingest(target: SendTarget, raw: Buffer): number {
    const decoded = peekMessage(raw);
    let stored = raw;
    let messageId = decoded.message_id === undefined ? undefined : String(decoded.message_id);
    if (messageId === undefined) {
      messageId = randomUUID().replace(/-/g, '');
      stored = withProperties(raw, { message_id: messageId });
    }
    const sequenceNumber = target.seq.next++;
    const opts = {
      sequenceNumber, messageId, sessionId: decoded.group_id == null ? undefined : String(decoded.group_id),
      ttlMs: typeof decoded.ttl === 'number' ? decoded.ttl : undefined,
      scheduledEnqueueTimeMs: timeMs(decoded.message_annotations?.['x-opt-scheduled-enqueue-time']),
    };
    const stores = target.kind === 'queue' ? [target.store] : [...target.subscriptions.values()].map((s) => s.store);
    for (const store of stores) {
      if (store.rules.requiresSession && opts.sessionId === undefined) store.deadLetterSessionless(stored, opts);
      else store.enqueue(stored, opts);
    }
    return sequenceNumber;
  }

  /** Test hook: sends messages to a queue or topic as a sender would. */
  send(entity: string, messages: MessageSpec[]): number[] {
    const target = this.entities.get(entity.toLowerCase());
    if (target === undefined) throw new RangeError(`No queue or topic '${entity}'`);
    return messages.map((m) => this.ingest(target, buildMessage(m)));
  }

  entityPaths(): string[] {
    const out: string[] = [];
    for (const e of this.entities.values()) {
      if (e.kind === 'queue') out.push(e.name, `${e.name}/${DLQ}`);
      else for (const s of e.subscriptions.values()) out.push(`${e.name}/Subscriptions/${s.name}`, `${e.name}/Subscriptions/${s.name}/${DLQ}`);
    }
    return out;
  }

  stop(): void {
    for (const path of this.entityPaths()) this.store(path)?.stop();
  }
}

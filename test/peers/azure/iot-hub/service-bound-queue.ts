/**
 * A service-bound IoT Hub queue (`/messages/serviceBound/feedback`, `.../filenotifications`) with
 * the hub's queue rules (the feedback queue's `lockDurationAsIso8601`, `maxDeliveryCount`,
 * `ttlAsIso8601`: 60 s, 10 and 1 hour by default): a message sent to a receiver is locked; an
 * accepted delivery removes it, a released or modified one (abandon) puts it back with its delivery
 * count raised, a rejected one drops it; a lock that expires before settlement, or a link that goes
 * away unsettled, puts it back the same way. A message delivered `maxDeliveryCount` times is dropped
 * (IoT Hub keeps no dead-letter queue for it), and one older than its time to live is dropped unseen.
 * The header's `delivery_count` says how many times it was delivered before.
 */
import type { Delivery, Message } from 'rhea';
import type { OutgoingHandler, SettlementKind } from '../namespace.ts';
import type { OutgoingLink } from '../outgoing-link.ts';
import { encodeMessage } from '../rhea-access.ts';

export interface QueueRules {
  lockDurationMs: number;
  maxDeliveryCount: number;
  ttlMs: number;
}

export const FEEDBACK_QUEUE_DEFAULTS: QueueRules = { lockDurationMs: 60_000, maxDeliveryCount: 10, ttlMs: 3_600_000 };

interface Entry { message: Message; deliveries: number; expiresAtMs: number }

export class ServiceBoundQueue {
  readonly name: string;
  readonly rules: QueueRules;
  private readonly waiting: Entry[] = [];
  private readonly links = new Set<ServiceBoundLink>();
  private readonly now: () => number;
  /** Messages dropped after `maxDeliveryCount` deliveries or their time to live. */
  dropped = 0;

  constructor(name: string, rules: QueueRules = FEEDBACK_QUEUE_DEFAULTS, now: () => number = Date.now) {
    this.name = name;
    this.rules = rules;
    this.now = now;
  }

  push(message: Message): void {
    this.waiting.push({ message, deliveries: 0, expiresAtMs: this.now() + this.rules.ttlMs });
    this.wakeAll();
  }

  /** Puts a message back at the front after an abandon, an expired lock or a lost link. */
  returned(entry: Entry): void {
    if (entry.deliveries >= this.rules.maxDeliveryCount) {
      this.dropped++;
      return;
    }
    this.waiting.unshift(entry);
    this.wakeAll();
  }

  /** The next live message (expired ones are dropped on the way). */
  shift(): Entry | undefined {
    for (;;) {
      const entry = this.waiting.shift();
      if (entry === undefined || entry.expiresAtMs > this.now()) return entry;
      this.dropped++;
    }
  }

  /** Messages waiting (not locked); expired ones are dropped first. */
  pending(): number {
    const now = this.now();
    const live = this.waiting.filter((e) => e.expiresAtMs > now);
    this.dropped += this.waiting.length - live.length;
    this.waiting.splice(0, this.waiting.length, ...live);
    return live.length;
  }

  attach(): ServiceBoundLink {
    const link = new ServiceBoundLink(this, () => this.links.delete(link));
    this.links.add(link);
    return link;
  }

  /** Cancels every lock timer (the double stops). */
  stop(): void {
    for (const l of this.links) l.onDetach();
  }

  private wakeAll(): void {
    for (const l of this.links) l.wake();
  }
}

interface Locked { entry: Entry; timer: NodeJS.Timeout }

export class ServiceBoundLink implements OutgoingHandler {
  private readonly queue: ServiceBoundQueue;
  private readonly onGone: () => void;
  private readonly locked = new Map<Delivery, Locked>();
  private out: OutgoingLink | undefined;

  constructor(queue: ServiceBoundQueue, onGone: () => void) {
    this.queue = queue;
    this.onGone = onGone;
  }

  wake(): void {
    if (this.out !== undefined) this.pump(this.out);
  }

  pump(out: OutgoingLink): void {
    this.out = out;
    while (out.available() > 0) {
      const entry = this.queue.shift();
      if (entry === undefined) return;
      const message: Message = { ...entry.message, delivery_count: entry.deliveries };
      entry.deliveries++;
      const d = out.send(encodeMessage(message));
      if (d.settled) continue;
      const timer = setTimeout(() => this.lockExpired(d), this.queue.rules.lockDurationMs);
      timer.unref();
      this.locked.set(d, { entry, timer });
    }
  }

  onSettlement(delivery: Delivery, kind: SettlementKind): void {
    const held = this.release(delivery);
    if (held === undefined) return;
    if (kind === 'released' || kind === 'modified') this.queue.returned(held.entry);
    if (!delivery.settled) delivery.update(true);
  }

  onDetach(): void {
    this.onGone();
    for (const d of [...this.locked.keys()]) {
      const held = this.release(d);
      if (held !== undefined) this.queue.returned(held.entry);
    }
    this.out = undefined;
  }

  /** The lock ran out: the message goes back to the queue; a late settlement changes nothing. */
  private lockExpired(delivery: Delivery): void {
    const held = this.release(delivery);
    if (held !== undefined) this.queue.returned(held.entry);
  }

  private release(delivery: Delivery): Locked | undefined {
    const held = this.locked.get(delivery);
    if (held === undefined) return undefined;
    clearTimeout(held.timer);
    this.locked.delete(delivery);
    return held;
  }
}

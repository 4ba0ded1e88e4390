/**
 * A service-bound IoT Hub queue (`/messages/serviceBound/feedback`, `.../filenotifications`):
 * messages wait until a receiver link takes them; an accepted delivery removes the message, a
 * released or modified one puts it back, a rejected one drops it. Unsettled messages return to
 * the queue when the link goes away.
 */
import type { Delivery } from 'rhea';
import type { OutgoingHandler, SettlementKind } from '../namespace.ts';
import type { OutgoingLink } from '../outgoing-link.ts';

export class ServiceBoundQueue {
  readonly name: string;
  private readonly waiting: Buffer[] = [];
  private readonly links = new Set<ServiceBoundLink>();

  constructor(name: string) {
    this.name = name;
  }

  push(raw: Buffer): void {
    this.waiting.push(raw);
    for (const l of this.links) l.wake();
  }

  /** Puts messages back at the front (abandoned or unsettled). */
  requeue(raws: Buffer[]): void {
    this.waiting.unshift(...raws);
    for (const l of this.links) l.wake();
  }

  shift(): Buffer | undefined {
    return this.waiting.shift();
  }

  pending(): number {
    return this.waiting.length;
  }

  attach(): ServiceBoundLink {
    const link = new ServiceBoundLink(this, () => this.links.delete(link));
    this.links.add(link);
    return link;
  }
}

export class ServiceBoundLink implements OutgoingHandler {
  private readonly queue: ServiceBoundQueue;
  private readonly onGone: () => void;
  private readonly unsettled = new Map<Delivery, Buffer>();
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
      const raw = this.queue.shift();
      if (raw === undefined) return;
      const d = out.send(raw);
      if (!d.settled) this.unsettled.set(d, raw);
    }
  }

  onSettlement(delivery: Delivery, kind: SettlementKind): void {
    const raw = this.unsettled.get(delivery);
    if (raw === undefined) return;
    this.unsettled.delete(delivery);
    if (kind === 'released' || kind === 'modified') this.queue.requeue([raw]);
    if (!delivery.settled) delivery.update(true);
  }

  onDetach(): void {
    this.onGone();
    this.queue.requeue([...this.unsettled.values()]);
    this.unsettled.clear();
    this.out = undefined;
  }
}

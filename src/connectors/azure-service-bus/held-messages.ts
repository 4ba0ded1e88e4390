/**
 * Every message received from a non-session entity and not yet settled: its lock (locked-until
 * time, as Service Bus gave it or the last renewal), when it was received, and whether the lock
 * is lost (expired, or its link gone). The lock keeper walks this table, so a message waiting
 * for the pipeline (or for its retry after a rejected delivery) keeps its lock exactly like one
 * being stored.
 */
import type { ServiceBusReceivedMessage } from './service-bus-api.ts';

export interface HeldMessage {
  readonly message: ServiceBusReceivedMessage;
  /** Epoch ms the message arrived. */
  readonly receivedAt: number;
  /** Epoch ms the lock ends (Service Bus's locked-until, moved by each renewal). */
  lockedUntil: number;
  /** The entity's lock duration as this message showed it (locked-until minus arrival). */
  readonly lockDurationMs: number;
  /** Service Bus no longer holds the lock for us: it redelivers the message. */
  lost: boolean;
  /** Being settled: the keeper leaves it alone. */
  settling: boolean;
}

export class HeldMessages {
  private readonly held = new Set<HeldMessage>();

  get size(): number {
    return this.held.size;
  }

  values(): IterableIterator<HeldMessage> {
    return this.held.values();
  }

  add(message: ServiceBusReceivedMessage, now: number): HeldMessage {
    const lockedUntil = message.lockedUntilUtc?.getTime() ?? now;
    const h: HeldMessage = { message, receivedAt: now, lockedUntil, lockDurationMs: Math.max(0, lockedUntil - now), lost: false, settling: false };
    this.held.add(h);
    return h;
  }

  remove(h: HeldMessage): void {
    this.held.delete(h);
  }
}

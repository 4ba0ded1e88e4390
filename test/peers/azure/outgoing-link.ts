/**
 * Server-side sending with correct credit accounting. rhea decrements `sender.credit` only when
 * the session is processed (next tick), so a `while (sendable()) send()` loop over-sends; this
 * keeps a per-link count of deliveries queued in the current tick. It also answers drain requests
 * (Service Bus `receiveMessages` waits only 200 ms for them): deliver what is available, then send
 * a flow with drain=true that consumes the remaining credit.
 */
import type { Delivery, Sender } from 'rhea';
import { overrideDrain, senderCredit, sessionSpace } from './rhea-access.ts';

export class OutgoingLink {
  readonly sender: Sender;
  private queuedThisTick = 0;
  private resetScheduled = false;
  private drainReplyPending = false;

  constructor(sender: Sender) {
    this.sender = sender;
    overrideDrain(sender, () => {
      if (!this.drainReplyPending) return false;
      this.drainReplyPending = false;
      return true;
    });
  }

  /**
   * Deliveries that may be sent right now: the link's credit, and the room left in the session for
   * unsettled deliveries (a client granting more credit than that, as the Event Hubs SDK's prefetch
   * can, waits for its settlements like a session window; the namespace pumps again on `settled`).
   */
  available(): number {
    if (!this.sender.is_open()) return 0;
    return Math.max(0, Math.min(senderCredit(this.sender), sessionSpace(this.sender)) - this.queuedThisTick);
  }

  /** Sends encoded message bytes (format 0). */
  send(payload: Buffer, tag?: Buffer): Delivery {
    this.queuedThisTick++;
    if (!this.resetScheduled) {
      this.resetScheduled = true;
      // Queued after rhea's own nextTick processing, which is registered by the send below.
      process.nextTick(() => process.nextTick(() => {
        this.queuedThisTick = 0;
        this.resetScheduled = false;
      }));
    }
    return this.sender.send(payload, tag, 0);
  }

  /** Answers an outstanding drain request: the next flow says drain=true and consumes all credit. */
  completeDrain(): void {
    this.drainReplyPending = true;
    this.sender.set_drained(true);
  }
}

/**
 * Every SQS message received and not yet deleted or released: its receipt handle and when it
 * becomes visible again (an estimate on the safe side: counted from when the request was sent).
 * The visibility heartbeat walks this table, so buffered messages waiting for the pipeline are
 * kept invisible exactly like those being stored.
 *
 * The table also bounds how many messages are in flight (`maxInFlight`) with a Semaphore: a
 * receiver reserves room for a full receive before it polls (`room.acquire(maxMessages)`), gives
 * back what the receive did not fill, and each receipt gives its room back when it is removed.
 * ("Lease" in Cloudbridge means partition ownership only; these are receipts.)
 */
import { Semaphore } from '../../core/semaphore.ts';

export interface Receipt {
  /** Unique per receipt (the same MessageId can be received twice). */
  readonly key: string;
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly groupId: string | undefined;
  /** Epoch ms the ReceiveMessage request was sent. */
  readonly receivedAt: number;
  /** Estimated epoch ms the message becomes visible again (never later than the real moment). */
  visibleAt: number;
  /** The 12 h visibility cap is reached: it can no longer be extended. */
  capped: boolean;
  /** SQS no longer knows this receipt (it became visible and was received again, or was deleted). */
  lost: boolean;
  /** Being made visible again: the heartbeat must not extend it any more. */
  releasing: boolean;
}

export class InFlightReceipts {
  /** Room for messages in flight: reserved before a receive, held by each receipt until removed. */
  readonly room: Semaphore;
  private readonly receipts = new Map<string, Receipt>();
  private seq = 0;

  constructor(maxInFlight: number) {
    this.room = new Semaphore(maxInFlight);
  }

  get size(): number {
    return this.receipts.size;
  }

  values(): IterableIterator<Receipt> {
    return this.receipts.values();
  }

  /** Records a received message; its room was reserved before the receive. */
  add(m: { messageId: string; receiptHandle: string; groupId?: string | undefined }, receivedAt: number, visibilityTimeoutSeconds: number): Receipt {
    const receipt: Receipt = {
      key: `${++this.seq}`,
      messageId: m.messageId,
      receiptHandle: m.receiptHandle,
      groupId: m.groupId,
      receivedAt,
      visibleAt: receivedAt + visibilityTimeoutSeconds * 1000,
      capped: false,
      lost: false,
      releasing: false,
    };
    this.receipts.set(receipt.key, receipt);
    return receipt;
  }

  has(receipt: Receipt): boolean {
    return this.receipts.get(receipt.key) === receipt;
  }

  /** Forgets settled receipts and gives their room back. */
  remove(receipts: Iterable<Receipt>): void {
    let removed = 0;
    for (const r of receipts) {
      if (this.receipts.get(r.key) !== r) continue;
      this.receipts.delete(r.key);
      removed++;
    }
    if (removed > 0) this.room.release(removed);
  }
}

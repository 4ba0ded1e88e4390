/**
 * Coalesces the messages the SDK hands over one at a time (each `processMessage` call) into one
 * `deliver` call per event-loop turn (at most `maxBatch` messages), and gives each message its
 * own outcome: committed (with its dead letter, if the converter failed it) or the rejection.
 */
import type { ConnectorContext, DeadLetteredMessage } from '../../core/connector.ts';
import type { UplinkMessage } from '../../core/model.ts';

interface Pending {
  msg: UplinkMessage;
  resolve: (deadLetter: DeadLetteredMessage | undefined) => void;
  reject: (err: unknown) => void;
}

export class DeliveryBatcher {
  private readonly deliverFn: ConnectorContext['deliver'];
  private readonly signal: () => AbortSignal;
  private readonly maxBatch: number;
  private queue: Pending[] = [];
  private scheduled = false;

  constructor(deliver: ConnectorContext['deliver'], signal: () => AbortSignal, maxBatch = 500) {
    this.deliverFn = deliver;
    this.signal = signal;
    this.maxBatch = maxBatch;
  }

  /** Resolves once the message is committed: undefined when stored (or a duplicate), its dead letter otherwise. */
  deliver(msg: UplinkMessage): Promise<DeadLetteredMessage | undefined> {
    return new Promise((resolve, reject) => {
      this.queue.push({ msg, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.deliverFn(batch.map((p) => p.msg), this.signal()).then((report) => {
        const byIndex = new Map((report.deadLetters ?? []).map((d) => [d.index, d]));
        batch.forEach((p, i) => p.resolve(byIndex.get(i)));
      }, (err: unknown) => {
        for (const p of batch) p.reject(err);
      });
    }
  }
}

/**
 * Keeps every received message invisible until it is deleted or released: on each tick, receipts
 * that will become visible within half the visibility timeout are extended back to the full
 * timeout with ChangeMessageVisibilityBatch (10 per call). SQS caps a message's visibility at
 * 12 hours from its receipt; a receipt that reaches the cap is left to expire (it will be
 * received again and recognised as a duplicate once stored) and reported once.
 */
import type { Clock, TimerHandle } from '../../core/clock.ts';
import { toCloudbridgeError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { InFlightReceipts, Receipt } from './receipt-table.ts';
import type { SqsApi } from './sqs-api.ts';

/** SQS: visibility can be extended to at most 12 hours after the message was received. */
export const MAX_VISIBILITY_MS = 12 * 60 * 60 * 1000;
/** Receipt no longer valid: the message was deleted, or became visible and was received again. */
const LOST_CODES = new Set(['ReceiptHandleIsInvalid', 'MessageNotInflight', 'AWS.SimpleQueueService.MessageNotInflight']);

export interface HeartbeatOptions {
  receipts: InFlightReceipts;
  api: () => SqsApi;
  queueUrl: string;
  visibilityTimeoutSeconds: number;
  clock: Clock;
  log: Logger;
  /** Called once per receipt that reached the 12 h cap. */
  onCapped?: (receipt: Receipt) => void;
  /** Called when a call failed as a whole (the next tick retries). */
  onError?: (err: unknown) => void;
}

/** Tick period: a quarter of the visibility timeout, between 200 ms and 60 s. */
export function heartbeatIntervalMs(visibilityTimeoutSeconds: number): number {
  return Math.min(60_000, Math.max(200, visibilityTimeoutSeconds * 250));
}

export class VisibilityHeartbeat {
  private readonly opts: HeartbeatOptions;
  private timer: TimerHandle | null = null;
  private running = false;
  private readonly extending = new Set<string>();
  private readonly calls = new Set<Promise<void>>();
  extensions = 0;
  failures = 0;
  lastBeatAt: number | null = null;

  constructor(opts: HeartbeatOptions) {
    this.opts = opts;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) this.opts.clock.clearTimeout(this.timer);
    this.timer = null;
    await Promise.all([...this.calls]);
  }

  /** One pass (exposed for tests): extends every receipt due for it. */
  async beat(): Promise<void> {
    const { receipts, clock, visibilityTimeoutSeconds } = this.opts;
    const now = clock.now();
    const thresholdMs = (visibilityTimeoutSeconds * 1000) / 2;
    const due: Array<{ receipt: Receipt; seconds: number }> = [];
    for (const receipt of receipts.values()) {
      if (receipt.capped || receipt.lost || receipt.releasing || this.extending.has(receipt.key)) continue;
      if (receipt.visibleAt - now > thresholdMs) continue;
      const leftSeconds = Math.floor((receipt.receivedAt + MAX_VISIBILITY_MS - now) / 1000) - 1;
      const seconds = Math.min(visibilityTimeoutSeconds, leftSeconds);
      if (seconds <= 0) {
        receipt.capped = true;
        this.opts.onCapped?.(receipt);
        continue;
      }
      due.push({ receipt, seconds });
    }
    if (due.length === 0) return;
    this.lastBeatAt = now;
    const chunks: Array<typeof due> = [];
    for (let i = 0; i < due.length; i += 10) chunks.push(due.slice(i, i + 10));
    await Promise.all(chunks.map((chunk) => {
      const call = this.extend(chunk);
      this.calls.add(call);
      return call.finally(() => this.calls.delete(call));
    }));
  }

  private async extend(chunk: Array<{ receipt: Receipt; seconds: number }>): Promise<void> {
    const sentAt = this.opts.clock.now();
    for (const { receipt } of chunk) this.extending.add(receipt.key);
    try {
      const result = await this.opts.api().changeVisibilityBatch(
        this.opts.queueUrl,
        chunk.map(({ receipt, seconds }, i) => ({ id: `${i}`, receiptHandle: receipt.receiptHandle, visibilityTimeoutSeconds: seconds })),
      );
      const failed = new Map(result.failed.map((f) => [f.id, f]));
      chunk.forEach(({ receipt, seconds }, i) => {
        const f = failed.get(`${i}`);
        if (!f) {
          receipt.visibleAt = sentAt + seconds * 1000;
          this.extensions++;
        } else if (LOST_CODES.has(f.code)) {
          receipt.lost = true;
          this.opts.log.debug({ messageId: receipt.messageId, code: f.code }, 'visibility not extended: the receipt is no longer valid');
        } else {
          this.failures++;
          this.opts.log.warn({ messageId: receipt.messageId, code: f.code, err: f.message }, 'visibility extension failed for a message; retrying on the next beat');
        }
      });
    } catch (err) {
      this.failures++;
      this.opts.log.warn({ err: toCloudbridgeError(err).message, messages: chunk.length }, 'visibility extension failed; retrying on the next beat');
      this.opts.onError?.(err);
    } finally {
      for (const { receipt } of chunk) this.extending.delete(receipt.key);
    }
  }

  private schedule(): void {
    if (!this.running) return;
    // The next tick does not wait for this one's calls: a hung call must not stop the others.
    this.timer = this.opts.clock.setTimeout(() => {
      this.timer = null;
      this.beat().catch((err: unknown) => this.opts.log.warn({ err: toCloudbridgeError(err).message }, 'visibility heartbeat failed'));
      this.schedule();
    }, heartbeatIntervalMs(this.opts.visibilityTimeoutSeconds));
    this.timer.unref?.();
  }
}

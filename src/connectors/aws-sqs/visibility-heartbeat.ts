/**
 * Keeps every leased message invisible until it is deleted or released: on each tick, leases
 * that will become visible within half the visibility timeout are extended back to the full
 * timeout with ChangeMessageVisibilityBatch (10 per call). SQS caps a message's visibility at
 * 12 hours from its receipt; a lease that reaches the cap is left to expire (it will be
 * received again and recognised as a duplicate once stored) and reported once.
 */
import type { Clock, TimerHandle } from '../../core/clock.ts';
import { toCloudbridgeError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { Lease, LeaseTable } from './lease-table.ts';
import type { SqsApi } from './sqs-api.ts';

/** SQS: visibility can be extended to at most 12 hours after the message was received. */
export const MAX_VISIBILITY_MS = 12 * 60 * 60 * 1000;
/** Receipt no longer valid: the message was deleted, or became visible and was received again. */
const LOST_CODES = new Set(['ReceiptHandleIsInvalid', 'MessageNotInflight', 'AWS.SimpleQueueService.MessageNotInflight']);

export interface HeartbeatOptions {
  table: LeaseTable;
  api: () => SqsApi;
  queueUrl: string;
  visibilityTimeoutSeconds: number;
  clock: Clock;
  log: Logger;
  /** Called once per lease that reached the 12 h cap. */
  onCapped?: (lease: Lease) => void;
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

  /** One pass (exposed for tests): extends every lease due for it. */
  async beat(): Promise<void> {
    const { table, clock, visibilityTimeoutSeconds } = this.opts;
    const now = clock.now();
    const thresholdMs = (visibilityTimeoutSeconds * 1000) / 2;
    const due: Array<{ lease: Lease; seconds: number }> = [];
    for (const lease of table.values()) {
      if (lease.capped || lease.lost || lease.releasing || this.extending.has(lease.key)) continue;
      if (lease.visibleAt - now > thresholdMs) continue;
      const leftSeconds = Math.floor((lease.receivedAt + MAX_VISIBILITY_MS - now) / 1000) - 1;
      const seconds = Math.min(visibilityTimeoutSeconds, leftSeconds);
      if (seconds <= 0) {
        lease.capped = true;
        this.opts.onCapped?.(lease);
        continue;
      }
      due.push({ lease, seconds });
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

  private async extend(chunk: Array<{ lease: Lease; seconds: number }>): Promise<void> {
    const sentAt = this.opts.clock.now();
    for (const { lease } of chunk) this.extending.add(lease.key);
    try {
      const result = await this.opts.api().changeVisibilityBatch(
        this.opts.queueUrl,
        chunk.map(({ lease, seconds }, i) => ({ id: `${i}`, receiptHandle: lease.receiptHandle, visibilityTimeoutSeconds: seconds })),
      );
      const failed = new Map(result.failed.map((f) => [f.id, f]));
      chunk.forEach(({ lease, seconds }, i) => {
        const f = failed.get(`${i}`);
        if (!f) {
          lease.visibleAt = sentAt + seconds * 1000;
          this.extensions++;
        } else if (LOST_CODES.has(f.code)) {
          lease.lost = true;
          this.opts.log.debug({ messageId: lease.messageId, code: f.code }, 'visibility not extended: the receipt is no longer valid');
        } else {
          this.failures++;
          this.opts.log.warn({ messageId: lease.messageId, code: f.code, err: f.message }, 'visibility extension failed for a message; retrying on the next beat');
        }
      });
    } catch (err) {
      this.failures++;
      this.opts.log.warn({ err: toCloudbridgeError(err).message, messages: chunk.length }, 'visibility extension failed; retrying on the next beat');
      this.opts.onError?.(err);
    } finally {
      for (const { lease } of chunk) this.extending.delete(lease.key);
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

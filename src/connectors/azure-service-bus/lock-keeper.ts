/**
 * Keeps the locks of held messages (held-messages.ts): a message whose lock has less than half of
 * the lock duration left is renewed (renew-lock), for at most `maxLockRenewalMs` after it arrived;
 * after that, or when Service Bus says the lock is gone, the message is marked lost: Service Bus
 * redelivers it, and the store recognises it if it was committed meanwhile. Renewals run one
 * message at a time per tick, never two for the same message.
 */
import type { Clock, TimerHandle } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import type { HeldMessage, HeldMessages } from './held-messages.ts';
import { isLockLost } from './service-bus-errors.ts';

export interface LockKeeperOptions {
  held: HeldMessages;
  renew: (h: HeldMessage) => Promise<Date>;
  maxLockRenewalMs: number;
  clock: Clock;
  log: Logger;
  /** Tick interval (default 1 s; shorter for short lock durations). */
  tickMs?: number;
}

export class LockKeeper {
  renewals = 0;
  failures = 0;
  private readonly opts: LockKeeperOptions;
  private timer: TimerHandle | null = null;
  private readonly renewing = new Set<HeldMessage>();
  private stopped = false;

  constructor(opts: LockKeeperOptions) {
    this.opts = opts;
  }

  start(): void {
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) this.opts.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private tickMs(): number {
    let shortest = Infinity;
    for (const h of this.opts.held.values()) if (h.lockDurationMs > 0) shortest = Math.min(shortest, h.lockDurationMs);
    return Math.max(100, Math.min(this.opts.tickMs ?? 1000, shortest / 4));
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.opts.clock.setTimeout(() => {
      this.timer = null;
      this.tick();
      this.schedule();
    }, this.tickMs());
    this.timer.unref?.();
  }

  private tick(): void {
    const now = this.opts.clock.now();
    for (const h of this.opts.held.values()) {
      if (h.lost || h.settling || this.renewing.has(h)) continue;
      if (h.lockedUntil <= now) {
        h.lost = true;
        continue;
      }
      if (h.lockedUntil - now > h.lockDurationMs / 2) continue;
      if (now - h.receivedAt >= this.opts.maxLockRenewalMs) continue;
      this.renewing.add(h);
      void this.opts.renew(h).then((until) => {
        h.lockedUntil = until.getTime();
        this.renewals++;
      }, (err: unknown) => {
        this.failures++;
        if (isLockLost(err)) h.lost = true;
        else this.opts.log.warn({ err: err instanceof Error ? err.message : String(err), messageId: String(h.message.messageId) }, 'could not renew a message lock; trying again');
      }).finally(() => this.renewing.delete(h));
    }
  }
}

/**
 * Recognises two applications fighting over one client id. Watson IoT keeps one connection per
 * `a:<orgId>:<appId>`: when a second application connects with it, the first is disconnected
 * (MQTT 3.1.1: the socket just closes), reconnects, and in turn disconnects the second, over and
 * over. Each side only sees the broker closing an established connection. Several such closes
 * within a few minutes are reported once as a WATSON_CLIENT_ID_CONFLICT warning.
 */
import type { Clock } from '../../core/clock.ts';

export interface TakeoverWatchOptions {
  clock: Clock;
  /** Broker closes within `windowMs` that count as a conflict (default 3). */
  threshold?: number;
  /** Default 5 minutes. */
  windowMs?: number;
  /** After a warning, no other one for this long (default 1 hour). */
  quietMs?: number;
  onConflict(closes: number, windowMs: number): void;
}

export class TakeoverWatch {
  private readonly opts: TakeoverWatchOptions;
  private recent: number[] = [];
  private warnedAt = -Infinity;
  private total = 0;

  constructor(opts: TakeoverWatchOptions) {
    this.opts = opts;
  }

  /** Established connections the broker closed, since the start. */
  get brokerCloses(): number {
    return this.total;
  }

  /** The broker closed an established connection. */
  closed(): void {
    const now = this.opts.clock.now();
    const windowMs = this.opts.windowMs ?? 300_000;
    this.total++;
    this.recent = [...this.recent.filter((at) => now - at < windowMs), now];
    if (this.recent.length < (this.opts.threshold ?? 3) || now - this.warnedAt < (this.opts.quietMs ?? 3_600_000)) return;
    this.warnedAt = now;
    this.opts.onConflict(this.recent.length, windowMs);
    this.recent = [];
  }
}

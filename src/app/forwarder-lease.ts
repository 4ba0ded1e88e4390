/**
 * One connection per forwarder across instances (ADR 018): a lease (`forwarder:<name>`, partition
 * `connection`, ADR 008's lease table) claimed when free or expired, renewed every `renewMs`; the
 * holder runs the forwarder, the others stand by and take over once it expires. Fencing: when a
 * renewal fails (lost to another instance, or the store cannot answer) the forwarder is stopped
 * at once, before the lease could have expired.
 */
import type { Clock } from '../core/clock.ts';
import { toCloudbridgeError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { LeaseStore, LeaseToken } from '../core/partitions.ts';

export const CONNECTION_PARTITION = 'connection';
export const LEASE_TTL_MS = 15_000;
export const LEASE_RENEW_MS = 5_000;

export interface LeaseHandlers {
  /** This instance holds the lease now: start the forwarder. */
  acquired(): Promise<void>;
  /** The lease is lost or given up: stop the forwarder. */
  lost(): Promise<void>;
}

export class ConnectionLease {
  private readonly leases: LeaseStore;
  private readonly owner: string;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly handlers: LeaseHandlers;
  private readonly ttlMs: number;
  private readonly renewMs: number;
  private readonly alone: boolean;
  private held: LeaseToken | null = null;
  private timer: ReturnType<Clock['setTimeout']> | null = null;
  private ticking: Promise<void> = Promise.resolve();
  private stopped = false;
  /** Who holds it, as last seen (null: nobody). */
  holder: string | null = null;

  /**
   * `alone`: no other instance can share the store (SQLite), so a lease held by another owner is
   * a predecessor's that died: taken at once instead of after its expiry.
   */
  constructor(opts: { leases: LeaseStore; owner: string; clock: Clock; log: Logger; handlers: LeaseHandlers; ttlMs?: number; renewMs?: number; alone?: boolean }) {
    this.alone = opts.alone ?? false;
    this.leases = opts.leases;
    this.owner = opts.owner;
    this.clock = opts.clock;
    this.log = opts.log;
    this.handlers = opts.handlers;
    this.ttlMs = opts.ttlMs ?? LEASE_TTL_MS;
    this.renewMs = opts.renewMs ?? LEASE_RENEW_MS;
  }

  get isHeld(): boolean {
    return this.held !== null;
  }

  /** Tries to take the lease now, then keeps renewing or watching it. */
  async start(): Promise<void> {
    this.ticking = this.tick();
    await this.ticking;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => {
      this.ticking = this.tick();
    }, this.renewMs);
    this.timer.unref?.();
  }

  private async tick(): Promise<void> {
    try {
      if (this.held) await this.renew();
      else await this.claim();
    } catch (err) {
      this.log.warn({ err: toCloudbridgeError(err).message }, 'forwarder lease check failed');
      if (this.held) await this.lose();
    } finally {
      this.schedule();
    }
  }

  private async renew(): Promise<void> {
    const held = this.held;
    if (!held) return;
    const renewed = await this.leases.renew(CONNECTION_PARTITION, held, this.ttlMs);
    if (!renewed) {
      this.log.warn({ owner: this.owner }, 'forwarder lease lost to another instance; stopping the connection');
      await this.lose();
    }
  }

  private async claim(): Promise<void> {
    if (this.stopped) return;
    let current = (await this.leases.list()).find((l) => l.partition === CONNECTION_PARTITION);
    if (!current) {
      await this.leases.ensure([{ partition: CONNECTION_PARTITION }]);
      current = (await this.leases.list()).find((l) => l.partition === CONNECTION_PARTITION);
    }
    const now = this.clock.now();
    if (!this.alone && current && current.owner !== null && current.owner !== this.owner && current.expiresAt > now) {
      this.holder = current.owner;
      return;
    }
    const claimed = await this.leases.claim(CONNECTION_PARTITION, this.owner, current?.token ?? 0, this.ttlMs);
    if (!claimed) return;
    this.held = { owner: this.owner, token: claimed.token };
    this.holder = this.owner;
    await this.handlers.acquired();
  }

  private async lose(): Promise<void> {
    this.held = null;
    this.holder = null;
    await this.handlers.lost();
  }

  /** Stops watching; gives the lease up so that a standby takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) this.clock.clearTimeout(this.timer);
    await this.ticking;
    const held = this.held;
    if (held) {
      await this.lose();
      await this.leases.release(CONNECTION_PARTITION, held).catch(() => false);
    }
  }
}

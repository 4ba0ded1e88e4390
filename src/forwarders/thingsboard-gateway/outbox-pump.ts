/**
 * Drains the forwarder's outbox into one gateway session: rows read in seq order, batched (up to
 * batchMaxMessages rows, or what arrived within batchMaxDelayMs), published at QoS 1 with up to
 * maxInFlight batches unacknowledged, and deleted only once every publish that carries them was
 * acknowledged. A refused publish (MQTT 5 reason code) is split until the refused device or row is
 * found; those rows go to the dead letters, the others are sent again. MQTT 3.1.1 has no reason
 * codes: ThingsBoard closes the connection, so after a close with batches in flight the next
 * session sends the first of them in halves, and a row that closes the connection alone twice is
 * dead-lettered (reason-codes.ts).
 */
import { sleep, type Clock } from '../../core/clock.ts';
import type { BoundOutbox } from '../../core/forwarder.ts';
import type { Logger } from '../../core/logger.ts';
import { Semaphore } from '../../core/semaphore.ts';
import type { OutboxRow } from '../../store/types.ts';
import { buildPublishes, pointsOf, type GatewayPublish } from './gateway-payloads.ts';
import type { GatewayLink, PublishRefusedError } from './gateway-session.ts';
import { CLOSE_ON_ERROR, refusalFor, refusalMessage, sessionFailure, type Refusal } from './reason-codes.ts';

/** `v1/gateway/connect` publishes awaiting their PUBACK at once when a session starts. */
export const CONNECTS_IN_FLIGHT = 100;

export interface PumpOptions {
  outbox: BoundOutbox<OutboxRow>;
  batchMaxMessages: number;
  batchMaxDelayMs: number;
  maxInFlight: number;
  /** Batches whose publish would be larger are split; a single row larger is refused (0x95). */
  maxPayloadBytes: number;
  protocolVersion: 4 | 5;
  clock: Clock;
  log: Logger;
  /** How long to wait for new rows when the outbox is empty (a nudge ends the wait early). */
  idlePollMs?: number;
  /** Backoff before re-sending after a passing refusal (rate limit, server busy). */
  retryDelayMs?: number;
  /** True when ThingsBoard announced a rate limit for the device (its 0x97 then means "retry"). */
  rateLimited?(device: string): boolean;
  onDelivered(rows: number, points: number): void;
  onRejected(row: OutboxRow, refusal: Refusal, message: string): void;
}

interface Refused {
  rows: OutboxRow[];
  refusal: Refusal;
}

interface InFlight {
  rows: OutboxRow[];
  done: Promise<Refused[]>;
}

export class OutboxPump {
  private readonly o: PumpOptions;
  private cursor = 0;
  private connected = new Set<string>();
  /** MQTT 3.1.1: set after a close with batches in flight; the rows the close may have been about. */
  private probe: { size: number; lastClosed: Set<number> } | null = null;
  /** A row found by close-on-error, dead-lettered when the next session starts. */
  private pendingReject: OutboxRow | null = null;
  private wake: (() => void) | null = null;

  constructor(options: PumpOptions) {
    this.o = options;
  }

  /** New rows may be waiting: ends an idle wait at once. */
  nudge(): void {
    this.wake?.();
  }

  /**
   * Devices to `connect` when a session starts, at most CONNECTS_IN_FLIGHT awaiting their PUBACK at
   * a time (a fleet of thousands is not one burst against ThingsBoard's gateway rate limits). A
   * device ThingsBoard refuses (e.g. 0x97, the device limit) stays unconnected: its rows are
   * refused, and dead-lettered, when sent.
   */
  async register(link: GatewayLink, devices: Array<{ name: string; type: string }>): Promise<void> {
    this.connected = new Set();
    const room = new Semaphore(CONNECTS_IN_FLIGHT);
    const results = await Promise.allSettled(devices.map(async (d) => {
      await room.acquire();
      try {
        await link.publish('v1/gateway/connect', JSON.stringify({ device: d.name, type: d.type }));
      } finally {
        room.release();
      }
      this.connected.add(d.name);
    }));
    for (const r of results) {
      const failure = r.status === 'rejected' ? sessionFailure(r.reason) : null;
      if (failure !== null) throw failure;
    }
  }

  /**
   * Sends until the link closes or `signal` aborts; returns once nothing is in flight. Rejects with
   * the link's error when it closed (the rows not acknowledged stay in the outbox).
   */
  async run(link: GatewayLink, signal: AbortSignal): Promise<void> {
    this.cursor = 0;
    await this.settleClosedRow();
    const inFlight = new Set<InFlight>();
    const failed: InFlight[] = [];
    let failure: unknown = null;
    let refused: Refused[] = [];
    const track = (f: InFlight): void => {
      inFlight.add(f);
      f.done.then((r) => {
        inFlight.delete(f);
        refused = refused.concat(r);
        if (r.length === 0 && this.probe && f.rows.length <= this.probe.size) this.probe = null;
      }, (err: unknown) => {
        inFlight.delete(f);
        failed.push(f);
        failure ??= err;
      }).finally(() => this.wake?.());
    };
    const drain = (): Promise<unknown> => Promise.allSettled([...inFlight].map((f) => f.done));
    try {
      while (!signal.aborted && link.open && failure === null) {
        if (refused.length > 0) {
          // Everything in flight settles first; the refused rows are isolated, the rest read again.
          await drain();
          if (failure !== null || !link.open) break;
          const now = refused;
          refused = [];
          await this.isolateAll(link, now, signal);
          this.cursor = 0;
          continue;
        }
        const probing = this.probe !== null && this.o.protocolVersion === 4;
        if (inFlight.size >= (probing ? 1 : this.o.maxInFlight)) {
          await Promise.race([...inFlight].map((f) => f.done.catch(() => undefined)));
          continue;
        }
        const rows = await this.readBatch(probing ? this.probe?.size ?? 1 : this.o.batchMaxMessages, signal);
        if (rows.length === 0) {
          await this.idle(signal);
          continue;
        }
        this.cursor = rows[rows.length - 1]?.seq ?? this.cursor;
        track({ rows, done: this.send(link, rows) });
      }
    } finally {
      await drain();
      if (failure !== null && this.o.protocolVersion === 4) this.closedOn(failed);
    }
    if (failure !== null) throw failure;
  }

  private async readBatch(limit: number, signal: AbortSignal): Promise<OutboxRow[]> {
    const rows = await this.o.outbox.read(this.cursor, limit);
    if (rows.length === 0 || rows.length >= limit || this.o.batchMaxDelayMs === 0 || this.probe || signal.aborted) return rows;
    await sleep(this.o.batchMaxDelayMs, signal, this.o.clock).catch(() => undefined);
    const after = rows[rows.length - 1]?.seq ?? this.cursor;
    return rows.concat(await this.o.outbox.read(after, limit - rows.length));
  }

  private async idle(signal: AbortSignal): Promise<void> {
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.o.clock.clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.wake = null;
        resolve();
      };
      const timer = this.o.clock.setTimeout(done, this.o.idlePollMs ?? 500);
      this.wake = done;
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /**
   * Publishes one batch; deletes the rows all of whose publishes were acknowledged and returns the
   * refused ones. Rejects (deleting nothing more) when the connection failed.
   */
  private async send(link: GatewayLink, rows: OutboxRow[]): Promise<Refused[]> {
    const { connects, data } = buildPublishes(rows, this.connected);
    if (data.some((p) => Buffer.byteLength(p.payload) > this.o.maxPayloadBytes)) {
      if (rows.length === 1) return [{ rows, refusal: refusalFor(0x95) }];
      const half = Math.ceil(rows.length / 2);
      const first = await this.send(link, rows.slice(0, half));
      return first.concat(await this.send(link, rows.slice(half)));
    }
    // Marked at once so that batches sent meanwhile do not connect the device again.
    const names = connects.map((c) => (JSON.parse(c.payload) as { device: string }).device);
    for (const name of names) this.connected.add(name);
    const connected = Promise.all(connects.map(async (c, i) => {
      try {
        await link.publish(c.topic, c.payload);
      } catch (err) {
        this.connected.delete(names[i] ?? '');
        throw err;
      }
    }));
    const results = await Promise.allSettled([connected, ...data.map((p) => link.publish(p.topic, p.payload))]);
    for (const r of results) {
      const failure = r.status === 'rejected' ? sessionFailure(r.reason) : null;
      if (failure !== null) throw failure;
    }
    const refusedBySeq = new Map<number, Refusal>();
    const refusedRows: Array<{ p: GatewayPublish; refusal: Refusal }> = [];
    results.slice(1).forEach((r, i) => {
      const p = data[i];
      if (r.status === 'rejected' && p) {
        const refusal = refusalFor((r.reason as PublishRefusedError).reasonCode);
        refusedRows.push({ p, refusal });
        for (const row of p.rows) if (!refusedBySeq.has(row.seq)) refusedBySeq.set(row.seq, refusal);
      }
    });
    const delivered = rows.filter((r) => !refusedBySeq.has(r.seq));
    if (delivered.length > 0) {
      await this.o.outbox.delete(delivered.map((r) => r.seq));
      this.o.onDelivered(delivered.length, pointsOf(delivered));
    }
    const groups = new Map<Refusal, OutboxRow[]>();
    for (const row of rows) {
      const refusal = refusedBySeq.get(row.seq);
      if (refusal) groups.set(refusal, [...(groups.get(refusal) ?? []), row]);
    }
    return [...groups].map(([refusal, rs]) => ({ refusal, rows: rs }));
  }

  private async isolateAll(link: GatewayLink, refused: Refused[], signal: AbortSignal): Promise<void> {
    const seen = new Set<number>();
    // In seq order (batches settle in any order): each device's rows are re-sent in their order.
    const ordered = [...refused].sort((a, b) => (a.rows[0]?.seq ?? 0) - (b.rows[0]?.seq ?? 0));
    for (const r of ordered) {
      const rows = r.rows.filter((row) => !seen.has(row.seq));
      for (const row of rows) seen.add(row.seq);
      if (rows.length > 0) await this.isolate(link, rows, r.refusal, signal);
    }
  }

  /** Finds the rows a refusal is about by re-sending smaller groups; dead-letters them. */
  private async isolate(link: GatewayLink, rows: OutboxRow[], refusal: Refusal, signal: AbortSignal): Promise<void> {
    if (refusal.scope === 'retry') {
      this.o.log.warn({ reasonCode: refusal.reasonCode, reason: refusal.reason }, 'ThingsBoard asked to slow down; retrying');
      await sleep(this.o.retryDelayMs ?? 1000, signal, this.o.clock).catch(() => undefined);
      return;
    }
    const devices = [...new Set(rows.map((r) => r.deviceName))];
    let groups: OutboxRow[][];
    if (devices.length > 1) groups = devices.map((d) => rows.filter((r) => r.deviceName === d));
    else if (refusal.reasonCode === 0x97 && this.o.rateLimited?.(devices[0] ?? '')) {
      await this.isolate(link, rows, { ...refusal, scope: 'retry', reason: 'rate limit exceeded' }, signal);
      return;
    } else if (refusal.scope === 'device' || rows.length === 1) {
      for (const row of rows) await this.reject(row, refusal);
      return;
    } else {
      const half = Math.ceil(rows.length / 2);
      groups = [rows.slice(0, half), rows.slice(half)];
    }
    for (const group of groups) {
      for (const again of await this.send(link, group)) await this.isolate(link, again.rows, again.refusal, signal);
    }
  }

  private async reject(row: OutboxRow, refusal: Refusal): Promise<void> {
    const message = refusalMessage(refusal, row.deviceName);
    await this.o.outbox.reject(row.seq, 'FORWARD_REFUSED', message);
    this.o.onRejected(row, refusal, message);
  }

  /** MQTT 3.1.1: the connection closed with batches in flight; the first one may hold a row ThingsBoard cannot take. */
  private closedOn(failed: InFlight[]): void {
    const first = failed.map((f) => f.rows).sort((a, b) => (a[0]?.seq ?? 0) - (b[0]?.seq ?? 0))[0];
    if (!first || first.length === 0) return;
    const only = first.length === 1 ? first[0] : undefined;
    if (only && this.probe?.lastClosed.has(only.seq)) {
      this.probe = null;
      this.pendingReject = only;
      return;
    }
    this.probe = { size: Math.max(1, Math.floor(first.length / 2)), lastClosed: new Set(first.map((r) => r.seq)) };
  }

  /** Dead-letters the row MQTT 3.1.1 closed the connection on (called before the next session sends). */
  async settleClosedRow(): Promise<void> {
    const row = this.pendingReject;
    if (!row) return;
    await this.reject(row, CLOSE_ON_ERROR);
    this.pendingReject = null;
  }
}

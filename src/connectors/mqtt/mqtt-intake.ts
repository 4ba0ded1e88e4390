/**
 * The uplink path of an MQTT source: each received PUBLISH becomes an UplinkMessage handed to
 * `ctx.deliver()` on its own (the pipeline coalesces deliveries into batched commits). The PUBACK
 * of a QoS 1 message is held in the connection's PubackGate until its delivery resolves; when the
 * delivery rejects, it is never acknowledged and `onRejected` lets the owner force a reconnect so
 * the broker redelivers. At most `maxInFlight` deliveries are outstanding (a Semaphore): when the
 * cap is reached, the next packet is read only once a delivery settled, which stops reading the
 * socket, so backpressure reaches the broker through TCP instead of piling messages up in memory.
 */
import type { IPublishPacket } from 'mqtt';
import type { ConnectorContext } from '../../core/connector.ts';
import { CloudbridgeError } from '../../core/errors.ts';
import type { UplinkMessage } from '../../core/model.ts';
import { Semaphore } from '../../core/semaphore.ts';
import type { MqttConnection } from './mqtt-connection.ts';
import { toUplinkMessage } from './uplink-message.ts';

export type UplinkBuilder = (packet: IPublishPacket, receivedAt: number) => UplinkMessage;

export interface MqttIntakeOptions {
  maxInFlight: number;
  ctx: Pick<ConnectorContext, 'deliver' | 'clock'>;
  /** Aborts deliveries still waiting to be admitted by the pipeline. */
  signal: AbortSignal;
  toUplink?: UplinkBuilder | undefined;
  /** A delivery was rejected (the message stays un-acknowledged). */
  onRejected(conn: MqttConnection, error: unknown, qos: number): void;
}

export interface MqttIntakeCounters {
  received: number;
  delivered: number;
  rejected: number;
  /** Messages read while intake was stopped or their connection was closing: left un-acknowledged. */
  skipped: number;
}

export class MqttIntake {
  /** Deliveries handed to the pipeline and not settled yet. */
  readonly limit: Semaphore;
  private readonly opts: MqttIntakeOptions;
  private readonly toUplink: UplinkBuilder;
  private readonly stopController = new AbortController();
  private stopped = false;
  private lastAt: number | null = null;
  readonly counters: MqttIntakeCounters = { received: 0, delivered: 0, rejected: 0, skipped: 0 };

  constructor(opts: MqttIntakeOptions) {
    this.opts = opts;
    this.limit = new Semaphore(opts.maxInFlight);
    this.toUplink = opts.toUplink ?? toUplinkMessage;
  }

  /** Epoch ms of the last message received. */
  get lastMessageAt(): number | null {
    return this.lastAt;
  }

  /** Stops taking messages in: later ones stay un-acknowledged, the broker keeps them. */
  stop(): void {
    this.stopped = true;
    this.stopController.abort(new CloudbridgeError('SHUTTING_DOWN', 'the MQTT intake stopped'));
  }

  /** Resolves when no delivery is outstanding. */
  idle(): Promise<void> {
    return this.limit.idle();
  }

  /**
   * MqttConnectionHandlers.onMessage. The receive time is taken when mqtt.js hands the packet
   * over, not after a wait for an in-flight slot: telemetry without ts is stamped with it.
   */
  handle(conn: MqttConnection, packet: IPublishPacket, done: () => void, receivedAt = this.opts.ctx.clock.now()): void {
    if (this.stopped || !conn.accepting) {
      this.skip(done);
      return;
    }
    if (this.limit.tryAcquire()) {
      this.dispatch(conn, packet, receivedAt);
      done();
      return;
    }
    this.limit.acquire(1, this.stopController.signal).then(() => {
      if (this.stopped || !conn.accepting) {
        this.limit.release();
        this.skip(done);
        return;
      }
      this.dispatch(conn, packet, receivedAt);
      done();
    }, () => this.skip(done));
  }

  private skip(done: () => void): void {
    this.counters.skipped++;
    done();
  }

  private dispatch(conn: MqttConnection, packet: IPublishPacket, receivedAt: number): void {
    const { ctx, signal } = this.opts;
    this.lastAt = receivedAt;
    this.counters.received++;
    const ticket = packet.qos === 1 && packet.messageId !== undefined ? conn.gate.track(packet.messageId) : null;
    let delivery: Promise<unknown>;
    try {
      delivery = ctx.deliver([this.toUplink(packet, receivedAt)], signal);
    } catch (err) {
      delivery = Promise.reject(err);
    }
    delivery.then(() => {
      this.limit.release();
      this.counters.delivered++;
      if (ticket) conn.gate.resolve(ticket);
    }, (err: unknown) => {
      this.limit.release();
      this.counters.rejected++;
      if (ticket) conn.gate.reject(ticket);
      this.opts.onRejected(conn, err, packet.qos);
    });
  }
}

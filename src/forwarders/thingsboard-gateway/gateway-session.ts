/**
 * One MQTT session with ThingsBoard as a gateway device: a fresh mqtt.js client per connection
 * (no automatic reconnect: the forwarder reconnects with its backoff), QoS 1 publishes that
 * resolve on PUBACK and reject with the reason code or when the connection closes first, and the
 * back-channel subscriptions, whose messages are handled before they are acknowledged.
 * mqtt.js is loaded when the first session opens.
 */
import type { IClientOptions, MqttClient } from 'mqtt';
import { CloudbridgeError } from '../../core/errors.ts';
import { applyTlsOptions, connectionClosedError, serverDisconnectError, translateConnectError, type MqttErrorContext } from '../../connectors/mqtt/index.ts';
import type { ResolvedTbConfig } from './config-spec.ts';
import { tbErrorAdvisor } from './tb-errors.ts';

/** The back-channel topics ThingsBoard pushes to a gateway. */
export const BACK_CHANNEL_TOPICS = ['v1/gateway/rpc', 'v1/gateway/attributes', 'v1/gateway/attributes/response'] as const;

/** A PUBACK with a reason code ≥ 0x80 (MQTT 5). */
export class PublishRefusedError extends Error {
  readonly reasonCode: number;
  constructor(reasonCode: number) {
    super(`publish refused with reason code 0x${reasonCode.toString(16)}`);
    this.reasonCode = reasonCode;
  }
}

/** What the pump needs of a session (unit tests give it a fake). */
export interface GatewayLink {
  /** QoS 1; resolves on PUBACK, rejects with PublishRefusedError or a CloudbridgeError when the connection ended first. */
  publish(topic: string, payload: string): Promise<void>;
  readonly open: boolean;
}

export interface SessionHandlers {
  /** A back-channel message; its PUBACK waits for the returned promise. */
  onMessage(topic: string, payload: Buffer): Promise<void>;
  /** The connection ended (not after `close()`). */
  onClose(error: CloudbridgeError): void;
}

export function errorContextOf(c: ResolvedTbConfig): MqttErrorContext {
  return {
    endpoint: `${c.host}:${c.port}`, tls: c.tls !== undefined, clientId: c.clientId, connectTimeoutMs: c.connectTimeoutMs,
    ...(c.password !== undefined && c.username !== undefined ? { username: c.username } : {}),
    advise: tbErrorAdvisor,
  };
}

function clientOptions(c: ResolvedTbConfig): IClientOptions {
  const o: IClientOptions = {
    host: c.host, port: c.port, protocol: c.tls ? 'mqtts' : 'mqtt', clientId: c.clientId, clean: true,
    keepalive: c.keepaliveSeconds, protocolVersion: c.protocolVersion, connectTimeout: c.connectTimeoutMs,
    reconnectPeriod: 0, resubscribe: false, queueQoSZero: false, log: () => undefined,
  };
  if (c.username !== undefined) o.username = c.username;
  if (c.password !== undefined) o.password = c.password;
  if (c.tls) applyTlsOptions(o, c.tls);
  return o;
}

export class GatewaySession implements GatewayLink {
  private readonly client: MqttClient;
  private readonly errors: MqttErrorContext;
  private readonly pending = new Set<(err: CloudbridgeError) => void>();
  private lastError: unknown = null;
  private closing = false;
  private ended = false;
  open = false;

  private constructor(client: MqttClient, errors: MqttErrorContext) {
    this.client = client;
    this.errors = errors;
  }

  /** Connects and subscribes to the back channel; rejects with a translated CloudbridgeError. */
  static async connect(c: ResolvedTbConfig, handlers: SessionHandlers): Promise<GatewaySession> {
    const { connect } = await import('mqtt');
    const session = new GatewaySession(connect(clientOptions(c)), errorContextOf(c));
    await session.start(handlers);
    return session;
  }

  private async start(handlers: SessionHandlers): Promise<void> {
    const client = this.client;
    client.handleMessage = (packet, callback) => {
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
      handlers.onMessage(packet.topic, payload).then(() => callback(), () => callback());
    };
    await new Promise<void>((resolve, reject) => {
      client.on('error', (err) => {
        this.lastError = err;
        if (!this.open) reject(translateConnectError(err, this.errors));
      });
      client.on('disconnect', (packet) => {
        this.lastError = serverDisconnectError(packet.reasonCode ?? 0, packet.properties?.reasonString, this.errors);
      });
      client.on('connect', () => {
        this.open = true;
        resolve();
      });
      client.on('close', () => {
        const wasOpen = this.open;
        this.open = false;
        // Closed before the CONNACK without a socket error: often plain MQTT sent to a TLS port.
        if (!wasOpen) reject(this.lastError ? translateConnectError(this.lastError, this.errors) : connectionClosedError(this.errors, false, { kind: 'connect' }));
        client.end(true);
        if (this.ended) return;
        this.ended = true;
        const error = this.lastError
          ? translateConnectError(this.lastError, this.errors, { kind: 'closed', established: true })
          : new CloudbridgeError('CONNECTION_FAILED', `ThingsBoard at ${this.errors.endpoint} closed the connection`);
        for (const fail of this.pending) fail(error);
        this.pending.clear();
        if (wasOpen && !this.closing) handlers.onClose(error);
      });
    });
    try {
      const granted = await client.subscribeAsync(BACK_CHANNEL_TOPICS.map((t) => t), { qos: 1 });
      const refused = granted.find((g) => g.qos >= 0x80);
      if (refused) {
        throw new CloudbridgeError('PERMISSION_DENIED', `ThingsBoard at ${this.errors.endpoint} refused the subscription to ${refused.topic}: the device must be a gateway ("Is gateway" checked in its settings)`);
      }
    } catch (err) {
      await this.close();
      throw err instanceof CloudbridgeError ? err : translateConnectError(err, this.errors);
    }
  }

  publish(topic: string, payload: string): Promise<void> {
    return new Promise((resolve, reject) => {
      if (!this.open) {
        reject(new CloudbridgeError('CONNECTION_FAILED', `not connected to ThingsBoard at ${this.errors.endpoint}`));
        return;
      }
      const fail = (err: CloudbridgeError): void => reject(err);
      this.pending.add(fail);
      this.client.publish(topic, payload, { qos: 1 }, (err) => {
        if (!this.pending.delete(fail)) return;
        if (!err) return resolve();
        const code = (err as { code?: unknown }).code;
        // Anything but a PUBACK reason code means the connection ended before the PUBACK.
        reject(typeof code === 'number' && code >= 0x80 ? new PublishRefusedError(code) : translateConnectError(err, this.errors, { kind: 'closed', established: true }));
      });
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    this.open = false;
    await new Promise<void>((resolve) => this.client.end(true, {}, () => resolve()));
  }
}

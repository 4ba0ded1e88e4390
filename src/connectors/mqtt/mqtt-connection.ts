/**
 * One MQTT network connection: a fresh mqtt.js client per connection attempt (its own reconnect is
 * off; MqttSource reconnects with backoff), PUBACKs held back through a PubackGate, SUBACK checks,
 * QoS 1 publishing. A new client per attempt also means settings (rotated certificates) are read
 * again before every reconnect, and nothing of a dead connection (a stale PUBACK, a pending
 * callback) can leak into the next one.
 */
import { connect } from 'mqtt';
import type { IClientOptions, IPublishPacket, MqttClient } from 'mqtt';
import { CloudbridgeError } from '../../core/errors.ts';
import { holdPubacks } from './mqtt-internals.ts';
import {
  adviseError, connectionClosedError, downlinkError, serverDisconnectError, subscribeDeniedError, translateConnectError,
  type MqttErrorAdvisor, type MqttErrorContext,
} from './mqtt-errors.ts';
import { PubackGate } from './puback-gate.ts';

export interface MqttTlsSettings {
  ca?: string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
  passphrase?: string | undefined;
  rejectUnauthorized: boolean;
  servername?: string | undefined;
  /** ALPN protocol names offered in the TLS handshake (e.g. `x-amzn-mqtt-ca` for AWS IoT on port 443). */
  alpnProtocols?: string[] | undefined;
}

/** Everything needed to open one connection. */
export interface MqttConnectSettings {
  host: string;
  port: number;
  /** Present = connect over TLS. */
  tls?: MqttTlsSettings | undefined;
  clientId: string;
  cleanSession: boolean;
  keepaliveSeconds: number;
  protocolVersion: 4 | 5;
  username?: string | undefined;
  password?: string | undefined;
  connectTimeoutMs: number;
  /**
   * MQTT 5: how long the broker keeps a persistent session after a disconnect (cleanSession false).
   * Default: never expires, as MQTT 3.1.1 sessions. (MQTT 5's own default, 0, ends the session with
   * the connection: un-acknowledged messages would never be redelivered.)
   */
  sessionExpirySeconds?: number | undefined;
  /** MQTT 5: most un-acknowledged QoS 1 messages the broker may send at once (flow control). */
  receiveMaximum?: number | undefined;
  /** Adds connector-specific advice to every error of this connection (e.g. which AWS IoT permission to grant). */
  adviseError?: MqttErrorAdvisor | undefined;
}

/** MQTT 5 Session Expiry Interval meaning "never". */
export const SESSION_NEVER_EXPIRES = 0xffffffff;

export interface TopicFilter {
  filter: string;
  qos: 0 | 1;
}

export interface GrantedSubscription {
  filter: string;
  requestedQos: 0 | 1;
  grantedQos: number;
}

export interface MqttConnectionHandlers {
  /** A received PUBLISH. Call `done` to let the client read the next packet (delaying it = backpressure). */
  onMessage(conn: MqttConnection, packet: IPublishPacket, done: () => void): void;
  /** The connection ended. `requested` is true when `close()` was called on it. */
  onClose(conn: MqttConnection, error: CloudbridgeError, requested: boolean): void;
}

export function errorContext(s: MqttConnectSettings): MqttErrorContext {
  return {
    endpoint: `${s.host}:${s.port}`, tls: s.tls !== undefined, username: s.username, clientId: s.clientId, connectTimeoutMs: s.connectTimeoutMs,
    ...(s.adviseError ? { advise: s.adviseError } : {}),
  };
}

/**
 * mqtt.js calls its `debug` logger several times per packet; even switched off, each call costs an
 * argument array and an enabled check. Unless DEBUG is set (someone wants mqtt.js's own trace),
 * the client gets a logger that does nothing.
 */
const mqttjsLog: IClientOptions['log'] = process.env.DEBUG ? undefined : () => undefined;

function clientOptions(s: MqttConnectSettings): IClientOptions {
  const options: IClientOptions & { passphrase?: string } = {
    host: s.host,
    port: s.port,
    protocol: s.tls ? 'mqtts' : 'mqtt',
    clientId: s.clientId,
    clean: s.cleanSession,
    keepalive: s.keepaliveSeconds,
    protocolVersion: s.protocolVersion,
    connectTimeout: s.connectTimeoutMs,
    reconnectPeriod: 0,
    resubscribe: false,
    manualConnect: true,
    queueQoSZero: false,
    ...(mqttjsLog ? { log: mqttjsLog } : {}),
  };
  if (s.protocolVersion === 5) {
    options.properties = {
      sessionExpiryInterval: s.cleanSession ? 0 : (s.sessionExpirySeconds ?? SESSION_NEVER_EXPIRES),
      ...(s.receiveMaximum !== undefined ? { receiveMaximum: Math.min(Math.max(1, s.receiveMaximum), 65535) } : {}),
    };
  }
  if (s.username !== undefined) options.username = s.username;
  if (s.password !== undefined) options.password = s.password;
  if (s.tls) applyTlsOptions(options, s.tls);
  return options;
}

/** Sets the mqtt.js TLS options of `tls` (only those given). Shared with the ThingsBoard forwarder's session. */
export function applyTlsOptions(options: IClientOptions & { passphrase?: string }, tls: MqttTlsSettings): void {
  options.rejectUnauthorized = tls.rejectUnauthorized;
  if (tls.ca) options.ca = tls.ca;
  if (tls.cert) options.cert = tls.cert;
  if (tls.key) options.key = tls.key;
  if (tls.passphrase) options.passphrase = tls.passphrase;
  if (tls.servername) options.servername = tls.servername;
  if (tls.alpnProtocols?.length) options.ALPNProtocols = tls.alpnProtocols;
}

interface PendingPublish {
  topic: string;
  reject(err: CloudbridgeError): void;
}

export class MqttConnection {
  readonly settings: MqttConnectSettings;
  readonly gate: PubackGate;
  readonly errors: MqttErrorContext;
  private readonly client: MqttClient;
  private readonly handlers: MqttConnectionHandlers;
  private readonly pendingPublishes = new Set<PendingPublish>();
  private connackSessionPresent = false;
  private open = false;
  private ended = false;
  private closeRequested = false;
  private lastError: unknown = null;
  /** When the broker last sent a PUBLISH (or accepted the connection): see `answerTimeout`. */
  private heardAt = Date.now();
  private closedPromise: Promise<void>;
  private markClosed: () => void = () => undefined;

  private constructor(settings: MqttConnectSettings, handlers: MqttConnectionHandlers) {
    this.settings = settings;
    this.handlers = handlers;
    this.errors = errorContext(settings);
    this.client = connect(clientOptions(settings));
    const writePuback = holdPubacks(this.client);
    this.gate = new PubackGate((messageId) => {
      if (this.accepting && this.client.connected) writePuback(messageId);
    });
    this.client.handleMessage = (packet, callback) => {
      this.heardAt = Date.now();
      this.handlers.onMessage(this, packet, () => callback());
    };
    this.closedPromise = new Promise((resolve) => { this.markClosed = resolve; });
  }

  /**
   * Connects and resolves once the broker accepted the connection (CONNACK 0). Rejects with a
   * translated CloudbridgeError; aborting the signal abandons the attempt.
   */
  static open(settings: MqttConnectSettings, handlers: MqttConnectionHandlers, signal?: AbortSignal): Promise<MqttConnection> {
    const conn = new MqttConnection(settings, handlers);
    return conn.connect(signal);
  }

  private connect(signal?: AbortSignal): Promise<MqttConnection> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (err: unknown): void => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        this.closeRequested = true;
        // Without a stream (the TLS options made tls.connect throw) there is nothing to end.
        if (this.client.stream) this.client.end(true);
        else this.onClosed();
        reject(translateConnectError(err, this.errors));
      };
      const onAbort = (): void => fail(signal?.reason ?? new CloudbridgeError('SHUTTING_DOWN', 'connection attempt abandoned'));
      this.client.on('error', (err) => {
        this.lastError = err;
        if (!this.open) fail(err);
      });
      this.client.on('disconnect', (packet) => {
        this.lastError = serverDisconnectError(packet.reasonCode ?? 0, packet.properties?.reasonString, this.errors);
      });
      this.client.on('connect', (connack) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        this.open = true;
        this.heardAt = Date.now();
        this.connackSessionPresent = connack.sessionPresent === true;
        resolve(this);
      });
      this.client.on('close', () => {
        if (!this.open) {
          fail(this.lastError ?? connectionClosedError(this.errors, false));
        }
        this.onClosed();
      });
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        this.client.connect();
      } catch (err) {
        fail(err);
      }
    });
  }

  private onClosed(): void {
    if (this.ended) return;
    const wasOpen = this.open;
    this.ended = true;
    this.open = false;
    this.gate.close();
    const error = this.lastError === null
      ? connectionClosedError(this.errors, wasOpen)
      : translateConnectError(this.lastError, this.errors, wasOpen ? { kind: 'closed', established: true } : { kind: 'connect' });
    for (const p of this.pendingPublishes) {
      const unconfirmed = new CloudbridgeError('DOWNLINK_FAILED', `the connection to ${this.errors.endpoint} closed before the broker confirmed the downlink to "${p.topic}"; it may or may not have been delivered`, { topic: p.topic }, { cause: error });
      p.reject(adviseError(unconfirmed, { kind: 'downlink-closed', topic: p.topic }, this.errors));
    }
    this.pendingPublishes.clear();
    this.markClosed();
    if (wasOpen) this.handlers.onClose(this, error, this.closeRequested);
  }

  /** True from the `connect` event (after CONNACK) to the end of the connection or a close request. */
  get isOpen(): boolean {
    return this.open && !this.closeRequested;
  }

  /**
   * Whether received messages may be taken in and acknowledged: not closed nor closing. Unlike
   * `isOpen` this also holds between CONNACK and mqtt.js's later `connect` event, when a resumed
   * session's queued messages may already arrive.
   */
  get accepting(): boolean {
    return !this.ended && !this.closeRequested;
  }

  /** The broker resumed a stored session (CONNACK sessionPresent). */
  get sessionPresent(): boolean {
    return this.connackSessionPresent;
  }

  /** Subscribes to all filters in one SUBSCRIBE; rejects with PERMISSION_DENIED naming a refused filter. */
  subscribe(filters: TopicFilter[]): Promise<GrantedSubscription[]> {
    const map: Record<string, { qos: 0 | 1 }> = {};
    for (const f of filters) map[f.filter] = { qos: f.qos };
    return new Promise((resolve, reject) => {
      const stopTimer = this.answerTimeout('SUBSCRIBE', reject);
      this.client.subscribe(map, (err, granted, packet) => {
        stopTimer();
        const requested = (filter: string): 0 | 1 => map[filter]?.qos ?? 1;
        if (err) {
          const raw = (err as { packet?: { granted?: unknown[] } }).packet?.granted ?? packet?.granted;
          const codes = raw?.map((c) => (typeof c === 'number' ? c : 0x80));
          if (codes && granted) {
            const index = codes.findIndex((c) => (c & 0x80) !== 0);
            const filter = granted[index]?.topic;
            if (filter !== undefined) return reject(subscribeDeniedError(filter, codes[index] ?? 0x80, this.errors));
          }
          if (this.closeRequested) return reject(new CloudbridgeError('CONNECTION_FAILED', `the connection to ${this.errors.endpoint} was closed while subscribing`));
          return reject(this.open
            ? translateConnectError(err, this.errors, { kind: 'subscribe-failed' })
            : connectionClosedError(this.errors, true, { kind: 'subscribe-failed' }));
        }
        resolve((granted ?? []).map((g) => ({ filter: g.topic, requestedQos: requested(g.topic), grantedQos: g.qos })));
      });
    });
  }

  /**
   * Rejects with CONNECTION_TIMEOUT when the broker sends nothing for connectTimeoutMs while its
   * answer to `request` is awaited; returns the function that cancels it. A broker that is
   * streaming a resumed session's backlog may answer a request sent after our first PUBACKs only
   * behind that backlog (Mosquitto does): as long as messages come, it is alive.
   */
  private answerTimeout(request: 'SUBSCRIBE' | 'UNSUBSCRIBE', reject: (err: CloudbridgeError) => void): () => void {
    const limitMs = this.settings.connectTimeoutMs;
    let timer: NodeJS.Timeout;
    const check = (): void => {
      const silentMs = Date.now() - this.heardAt;
      if (silentMs >= limitMs) reject(new CloudbridgeError('CONNECTION_TIMEOUT', `The broker at ${this.errors.endpoint} did not answer the ${request} and sent nothing else for ${limitMs} ms.`));
      else timer = setTimeout(check, limitMs - silentMs);
    };
    timer = setTimeout(check, limitMs);
    return () => clearTimeout(timer);
  }

  /** Removes subscriptions of the session (one UNSUBSCRIBE); resolves on UNSUBACK. */
  unsubscribe(filters: string[]): Promise<void> {
    return new Promise((resolve, reject) => {
      const stopTimer = this.answerTimeout('UNSUBSCRIBE', reject);
      this.client.unsubscribe(filters, (err) => {
        stopTimer();
        if (!err) return resolve();
        reject(this.open && !this.closeRequested
          ? translateConnectError(err, this.errors, { kind: 'subscribe-failed' })
          : connectionClosedError(this.errors, true, { kind: 'subscribe-failed' }));
      });
    });
  }

  /** Publishes with QoS 1; resolves on PUBACK. Rejects with DOWNLINK_FAILED. */
  publish(topic: string, payload: Uint8Array, signal?: AbortSignal): Promise<void> {
    if (!this.isOpen) {
      return Promise.reject(new CloudbridgeError('DOWNLINK_FAILED', `not connected to the broker at ${this.errors.endpoint}; the downlink can be sent again once it reconnects`));
    }
    const body = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    return new Promise((resolve, reject) => {
      let done = false;
      const pending: PendingPublish = { topic, reject: (err) => finish(err) };
      const onAbort = (): void => finish(new CloudbridgeError('DOWNLINK_FAILED', `sending the downlink to "${topic}" was aborted before the broker confirmed it`));
      const finish = (err?: CloudbridgeError): void => {
        if (done) return;
        done = true;
        this.pendingPublishes.delete(pending);
        signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve();
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pendingPublishes.add(pending);
      this.client.publish(topic, body, { qos: 1 }, (err) => finish(err ? downlinkError(err, topic, this.errors) : undefined));
    });
  }

  /**
   * Ends the connection. Graceful sends DISCONNECT after what is already queued (held PUBACKs
   * written before stay in order), falling back to dropping the socket after `timeoutMs`.
   */
  close(opts: { graceful: boolean; timeoutMs?: number } = { graceful: false }): Promise<void> {
    this.closeRequested = true;
    if (this.ended) return Promise.resolve();
    if (!opts.graceful) {
      this.client.end(true);
      return this.closedPromise;
    }
    const timer = setTimeout(() => this.client.stream?.destroy(), opts.timeoutMs ?? 2000);
    this.client.end(false, {}, () => undefined);
    return this.closedPromise.finally(() => clearTimeout(timer));
  }
}

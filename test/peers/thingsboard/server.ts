/**
 * The double's listener and control API: a node:net (or node:tls) server on 127.0.0.1 whose
 * connections are MqttSessions, the platform state they write to, server-side pushes (shared
 * attributes, RPC) to the sessions where a device is registered, and the faults outage tests need
 * (stop/start on the same port, dropped connections, held PUBACKs, forced refusals).
 */
import { randomBytes } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { GATEWAY_TOPIC } from './codes.ts';
import { MqttSession, type SessionHooks } from './mqtt-session.ts';
import { Platform } from './platform.ts';
import { RpcBroker, type RpcRequest } from './rpc.ts';
import { typeKeyValues } from './telemetry-json.ts';
import { createTestPki, type TestPki } from '../test-pki.ts';
import type {
  AttributeEntry, AttributeRequestRecord, ClaimRecord, Counters, DeviceRecord, DeviceSpec, RefusalRecord, RpcReply,
  SessionInfo, TelemetryPoint, ThingsBoardDoubleOptions,
} from './types.ts';

/** ThingsBoard's default `NETTY_MAX_PAYLOAD_SIZE` (transport.mqtt.netty.max_payload_size). */
export const DEFAULT_MAX_PAYLOAD_BYTES = 65536;
export const DEFAULT_GATEWAY_NAME = 'Cloudbridge Gateway';

export interface ThingsBoardDouble {
  readonly host: string;
  readonly port: number;
  /** `mqtt://127.0.0.1:<port>` (`mqtts://` with `tls`). */
  readonly url: string;
  /** The CA that signed the server certificate (PEM), with `tls`. */
  readonly ca?: string;
  /** The first gateway device and its access token (the MQTT user name). */
  readonly gateway: { name: string; token: string };
  /** DoubleEvent by kind, and every one of them as `change`. */
  readonly events: EventEmitter;

  devices(): DeviceRecord[];
  device(name: string): DeviceRecord | undefined;
  /** A device made as in ThingsBoard's UI, with credentials (another gateway, a plain device). */
  createDevice(spec: DeviceSpec): DeviceRecord;
  /** Every point received for the device in arrival order, duplicates included. */
  telemetry(device: string): TelemetryPoint[];
  /** How many points arrived for the device (all devices without one), duplicates included; no copy, so cheap in waitFor(). */
  telemetryCount(device?: string): number;
  /** The time-series table: one point per (key, ts), the last write winning, sorted by ts. */
  timeseries(device: string): TelemetryPoint[];
  clientAttributes(device: string): Record<string, unknown>;
  sharedAttributes(device: string): Record<string, unknown>;
  /** Attributes with their type and last update time. */
  attributeEntries(device: string, scope: 'client' | 'shared'): Record<string, AttributeEntry>;
  rpcReplies(): RpcReply[];
  attributeRequests(): AttributeRequestRecord[];
  claims(): ClaimRecord[];
  refusals(): RefusalRecord[];
  counters(): Counters;
  sessions(): SessionInfo[];

  /** Stores shared attributes and pushes `{device, data}` on v1/gateway/attributes; returns the sessions pushed to. */
  setSharedAttributes(device: string, data: Record<string, unknown>): number;
  /** Deletes shared attributes and pushes `{device, data: {deleted: [...]}}`; returns the sessions pushed to. */
  deleteSharedAttributes(device: string, keys: string[]): number;
  /** A server-side RPC: resolves with the device's reply, rejects after `timeoutMs` (default 10 s). */
  rpc(device: string, method: string, params?: unknown, opts?: { timeoutMs?: number }): Promise<RpcReply>;
  /** Resolves once `predicate` holds (re-checked after every change); rejects after `timeoutMs` (default 10 s). */
  waitFor(predicate: () => boolean, timeoutMs?: number, what?: string): Promise<void>;

  /** Closes the listener and every connection; the platform state stays. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  /** Closes every client connection (the listener stays). */
  dropConnections(): void;
  /** While on, data is stored but PUBACKs are held; turning it off sends the held ones in order. */
  holdPubacks(on: boolean): void;
  /** The next `n` publishes are refused with `reasonCode` (MQTT 5: PUBACK reason; MQTT 3.1.1: close), storing nothing. */
  refuseNext(n: number, reasonCode: number): void;
  /** stop(), then rejects pending RPCs and removes the TLS material. */
  dispose(): Promise<void>;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

export async function startThingsBoardDouble(opts: ThingsBoardDoubleOptions = {}): Promise<ThingsBoardDouble> {
  const specs = opts.devices ?? [{ name: DEFAULT_GATEWAY_NAME, gateway: true, token: `gw-${randomBytes(8).toString('hex')}` }];
  const firstGateway = specs.find((s) => s.gateway && s.token !== undefined);
  const platform = new Platform(specs, { maxDevices: opts.maxDevices, rateLimit: opts.rateLimit });
  const rpcBroker = new RpcBroker();
  const sessions = new Set<MqttSession>();
  const sockets = new Set<Socket>();
  let held = false;
  let forced: { remaining: number; reasonCode: number } | undefined;

  const sendRpc = (session: MqttSession, req: RpcRequest): void =>
    session.publish(GATEWAY_TOPIC.RPC, { device: req.device, data: { id: req.id, method: req.method, params: req.params } });
  const sessionsOf = (device: string): MqttSession[] => [...sessions].filter((s) => s.open && s.registered.has(device));

  const hooks: SessionHooks = {
    platform,
    maxPayloadBytes: opts.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES,
    typeCast: opts.typeCastStrings ?? true,
    pubacksHeld: () => held,
    takeForcedRefusal: () => {
      if (!forced || forced.remaining <= 0) return undefined;
      forced.remaining--;
      return forced.reasonCode;
    },
    onOpen: (session) => {
      sessions.add(session);
      platform.emit({ kind: 'session-open', session: session.info() });
    },
    onClose: (session) => {
      sessions.delete(session);
      platform.emit({ kind: 'session-close', sessionId: session.id });
    },
    onRegistered: (session, device) => {
      for (const req of rpcBroker.undelivered(device)) sendRpc(session, req);
    },
    onRpcReply: (reply) => {
      platform.rpcReplies.push(reply);
      rpcBroker.resolve(reply);
      platform.emit({ kind: 'rpc-reply', reply });
    },
  };

  let pki: TestPki | undefined;
  let server: Server;
  const onSocket = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    new MqttSession(socket, hooks);
  };
  if (opts.tls) {
    pki = await createTestPki('Cloudbridge Test ThingsBoard CA');
    const cert = await pki.issue('localhost', { server: true });
    server = createTlsServer({ cert: cert.cert, key: cert.key }, onSocket);
  } else {
    server = createServer(onSocket);
  }
  const port = await listen(server, opts.port ?? 0);
  let listening = true;

  const dropConnections = (): void => {
    for (const session of [...sessions]) session.close();
    for (const socket of [...sockets]) socket.destroy();
  };
  const requireDevice = (device: string): void => {
    if (!platform.device(device)) throw new Error(`ThingsBoard double: no device "${device}"`);
  };
  const stop = async (): Promise<void> => {
    if (!listening) return;
    listening = false;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    dropConnections();
    await closed;
  };

  return {
    host: '127.0.0.1',
    port,
    url: `${opts.tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${port}`,
    ...(pki ? { ca: pki.ca } : {}),
    gateway: { name: firstGateway?.name ?? '', token: firstGateway?.token ?? '' },
    events: platform.events,
    devices: () => platform.deviceList(),
    device: (name) => platform.device(name),
    createDevice: (spec) => platform.addDevice(spec),
    telemetry: (device) => platform.receivedTelemetry(device),
    telemetryCount: (device) => platform.telemetryCount(device),
    timeseries: (device) => platform.timeseries(device),
    clientAttributes: (device) => platform.attributeValues(device, true),
    sharedAttributes: (device) => platform.attributeValues(device, false),
    attributeEntries: (device, scope) => platform.attributeEntries(device, scope === 'client'),
    rpcReplies: () => platform.rpcReplies.map((r) => ({ ...r })),
    attributeRequests: () => platform.attributeRequests.map((r) => ({ ...r, keys: [...r.keys] })),
    claims: () => platform.claims.map((c) => ({ ...c })),
    refusals: () => platform.refusals.map((r) => ({ ...r })),
    counters: () => ({ ...platform.counters, refusals: { ...platform.counters.refusals } }),
    sessions: () => [...sessions].filter((s) => s.open).map((s) => s.info()),
    setSharedAttributes: (device, data) => {
      requireDevice(device);
      platform.storeAttributes(device, false, typeKeyValues(data, false), Date.now());
      const targets = sessionsOf(device);
      for (const session of targets) session.publish(GATEWAY_TOPIC.ATTRIBUTES, { device, data });
      return targets.length;
    },
    deleteSharedAttributes: (device, keys) => {
      requireDevice(device);
      platform.deleteAttributes(device, false, keys);
      const targets = sessionsOf(device);
      for (const session of targets) session.publish(GATEWAY_TOPIC.ATTRIBUTES, { device, data: { deleted: keys } });
      return targets.length;
    },
    rpc: (device, method, params = {}, rpcOpts = {}) => {
      if (!platform.device(device)) return Promise.reject(new Error(`ThingsBoard double: no device "${device}"`));
      return rpcBroker.request(device, method, params, rpcOpts.timeoutMs ?? 10_000, (req) => {
        const targets = sessionsOf(device);
        for (const session of targets) sendRpc(session, req);
        return targets.length > 0;
      });
    },
    waitFor: (predicate, timeoutMs, what) => platform.waitFor(predicate, timeoutMs, what),
    stop,
    start: async () => {
      if (listening) return;
      await listen(server, port);
      listening = true;
    },
    dropConnections,
    holdPubacks: (on) => {
      held = on;
      if (!on) for (const session of sessions) session.releaseAcks();
    },
    refuseNext: (n, reasonCode) => { forced = { remaining: n, reasonCode }; },
    dispose: async () => {
      await stop();
      rpcBroker.rejectAll('ThingsBoard double disposed');
      await pki?.dispose();
    },
  };
}

/**
 * One AMQP namespace of the double (the Event Hubs namespace, the Service Bus namespace or the IoT
 * Hub): a rhea container with plain and/or TLS listeners on free loopback ports, connection and
 * link bookkeeping, terminus and settle-mode echo on attach, authorization through `$cbs` grants,
 * request/response nodes, injected faults, and dispatch of links to the service behind it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server, Socket } from 'node:net';
import rhea from 'rhea';
import type { Connection, Container, Delivery, EventContext, Receiver, Sender } from 'rhea';
import type { KeyLookup } from './auth.ts';
import { checkSasToken, isAuthorized } from './auth.ts';
import type { IncomingTransfer } from './batch.ts';
import { readTransfer } from './batch.ts';
import { cbsNode } from './cbs.ts';
import type { AmqpErrorInfo } from './conditions.ts';
import { CONDITIONS, amqpError } from './conditions.ts';
import type { ConnectionState } from './connection-state.ts';
import { FaultPlan } from './faults.ts';
import { listenTlsWithHttp } from './http-demux.ts';
import { OutgoingLink } from './outgoing-link.ts';
import { TokenBoundLinks } from './token-bound-links.ts';
import type { RequestNode } from './request-response.ts';
import { findReplyLink, replyMessage } from './request-response.ts';
import type { AttachFields, DispositionState, Link } from './rhea-access.ts';
import { abortConnection, localAttach, remoteAttach, remoteState, saslUser } from './rhea-access.ts';
import type { SasKey, SasRight } from './sas.ts';

export interface AttachRequest {
  conn: ConnectionState;
  link: Link;
  /** Entity address without scheme, host or surrounding slashes, e.g. `hub1/Partitions/0`. */
  address: string;
  remote: AttachFields;
}

export interface Accepted<H> { handler: H; attach?: Partial<AttachFields> }
export type AttachResult<H> = Accepted<H> | { error: AmqpErrorInfo };

export type SettlementKind = 'accepted' | 'rejected' | 'released' | 'modified';

export interface OutgoingHandler {
  /** Send what is available within `out.available()` credit. */
  pump(out: OutgoingLink): void;
  onSettlement?(delivery: Delivery, kind: SettlementKind, state: DispositionState | undefined): void;
  onDetach?(): void;
}

export interface IncomingHandler {
  /** Must settle `delivery` (accept or reject). */
  onTransfer(transfer: IncomingTransfer, delivery: Delivery): void;
  onDetach?(): void;
}

export interface NamespaceService {
  /** The client attaches a receiver (the double sends). */
  attachOutgoing(req: AttachRequest): AttachResult<OutgoingHandler>;
  /** The client attaches a sender (the double receives). */
  attachIncoming(req: AttachRequest): AttachResult<IncomingHandler>;
  requestNodes: RequestNode[];
}

export interface NamespaceOptions {
  label: string;
  /** Keys valid for an entity: namespace keys plus the entity's own. */
  keysFor: KeyLookup;
  plain: boolean;
  tls?: { key: string; cert: string };
  /** Accept SASL PLAIN with a SAS token as password (IoT Hub). */
  saslPlainSas?: boolean;
  /** HTTPS requests on the TLS port (IoT Hub registry REST API); AMQP and HTTP are told apart by their first bytes. */
  http?: (req: IncomingMessage, res: ServerResponse) => void;
  trace: (line: string) => void;
}

export function normalizeAddress(address: string | undefined): string {
  if (address === undefined) return '';
  return address.replace(/^[a-z]+:\/\/[^/]*/i, '').replace(/^\/+|\/+$/g, '');
}

interface OutgoingEntry { kind: 'outgoing'; out: OutgoingLink; handler: OutgoingHandler; conn: ConnectionState; onGone: () => void }
interface IncomingEntry { kind: 'incoming'; handler: IncomingHandler; conn: ConnectionState; onGone: () => void }
interface RequestEntry { kind: 'request'; node: RequestNode; address: string }
type LinkEntry = OutgoingEntry | IncomingEntry | RequestEntry;

export class AmqpNamespace {
  readonly faults = new FaultPlan();
  readonly ports: { plain?: number; tls?: number } = {};
  private readonly container: Container;
  private readonly options: NamespaceOptions;
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<{ destroy(): void }>();
  /** Every rhea connection whose socket is still up (including AMQP-closed ones). */
  private readonly live = new Set<Connection>();
  private readonly connections = new Map<object, ConnectionState>();
  private readonly links = new WeakMap<Link, LinkEntry>();
  private readonly plainGrants = new Map<string, ConnectionState['grants'][number]>();
  /** Entity links and the claim they were attached with: detached once no unexpired token covers it. */
  private readonly tokenBound: TokenBoundLinks;
  private service: NamespaceService | undefined;
  private nextConnectionId = 1;
  private cbs: RequestNode;

  constructor(options: NamespaceOptions) {
    this.options = options;
    this.container = rhea.create_container({ id: `azure-double-${options.label}` });
    this.cbs = cbsNode(options.keysFor, options.trace);
    this.tokenBound = new TokenBoundLinks(options.trace, (link) => this.detached(link));
    if (options.saslPlainSas === true) {
      this.container.sasl_server_mechanisms.enable_anonymous();
      this.container.sasl_server_mechanisms.enable_plain((user: string, password: string) => this.checkPlain(user, password));
    }
    this.wire();
  }

  setService(service: NamespaceService): void {
    this.service = service;
  }

  async listen(): Promise<void> {
    // rhea keeps a session's outgoing deliveries in a ring of 2048 (by default) and drops them only
    // in order, once settled on both sides: a receiver settling out of order (the Service Bus SDK
    // with maxConcurrentCalls in the hundreds) can fill it, and sending then stops. Azure has no
    // such limit; a larger ring keeps the double from inventing one.
    const common = { host: '127.0.0.1', port: 0, autoaccept: false, treat_modified_as_released: false, session_buffer_size: 65_536 };
    if (this.options.plain) this.ports.plain = await this.startServer({ ...common, transport: 'tcp' });
    if (this.options.tls !== undefined) this.ports.tls = await this.startServer({ ...common, transport: 'tls', ...this.options.tls });
    this.tokenBound.start();
  }

  private startServer(opts: Record<string, unknown>): Promise<number> {
    const server = opts['transport'] === 'tls' && this.options.http !== undefined
      ? listenTlsWithHttp(this.container, opts, this.options.http)
      : this.container.listen(opts as never) as unknown as Server;
    this.servers.push(server);
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.once('listening', () => {
        const addr = server.address();
        resolve(typeof addr === 'object' && addr !== null ? addr.port : 0);
      });
    });
  }

  /** Every open client connection. */
  openConnections(): ConnectionState[] {
    return [...this.connections.values()].filter((c) => !c.closed);
  }

  /** Drops client connections: `close` sends an AMQP close with an error, `destroy` cuts the socket. */
  dropConnections(mode: 'close' | 'destroy' = 'destroy', error?: AmqpErrorInfo): number {
    const conns = this.openConnections();
    for (const c of conns) {
      if (mode === 'close') c.rhea.close(error ?? amqpError(CONDITIONS.connectionForced, 'Connection closed by an injected fault.'));
      else abortConnection(c.rhea);
    }
    return conns.length;
  }

  isAuthorized(conn: ConnectionState, path: string, right?: SasRight): boolean {
    return isAuthorized(conn.grants, path, right, Date.now());
  }

  async close(): Promise<void> {
    this.tokenBound.stop();
    for (const c of this.live) abortConnection(c);
    this.live.clear();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    this.connections.clear();
  }

  private checkPlain(user: string, password: string): boolean {
    const check = checkSasToken(password, undefined, this.options.keysFor, Date.now());
    this.options.trace(`${this.options.label} SASL PLAIN ${user} → ${check.ok ? 'ok' : check.reason}`);
    if (check.ok) this.plainGrants.set(user, check.grant);
    return check.ok;
  }

  private connState(ctx: EventContext): ConnectionState {
    const rc = ctx.connection;
    let state = this.connections.get(rc);
    if (state === undefined) {
      state = { id: `${this.options.label}#${this.nextConnectionId++}`, rhea: rc, grants: [], replyLinks: [], onGone: new Set(), closed: false };
      const user = saslUser(rc);
      const grant = user === undefined ? undefined : this.plainGrants.get(user);
      if (grant !== undefined) state.grants.push(grant);
      this.connections.set(rc, state);
    }
    return state;
  }

  private gone(ctx: EventContext): void {
    const state = this.connections.get(ctx.connection);
    if (state === undefined || state.closed) return;
    state.closed = true;
    this.connections.delete(ctx.connection);
    for (const fn of state.onGone) fn();
    state.onGone.clear();
  }

  private wire(): void {
    const c = this.container;
    c.on('connection_open', (ctx: EventContext) => {
      this.live.add(ctx.connection);
      this.connState(ctx);
    });
    c.on('connection_close', (ctx: EventContext) => this.gone(ctx));
    c.on('connection_error', (ctx: EventContext) => this.gone(ctx));
    c.on('disconnected', (ctx: EventContext) => {
      this.live.delete(ctx.connection);
      this.gone(ctx);
    });
    c.on('error', (err: unknown) => this.options.trace(`${this.options.label} error: ${String(err)}`));
    c.on('sender_open', (ctx: EventContext) => { if (ctx.sender !== undefined) this.onClientReceiver(ctx, ctx.sender); });
    c.on('receiver_open', (ctx: EventContext) => { if (ctx.receiver !== undefined) this.onClientSender(ctx, ctx.receiver); });
    c.on('sendable', (ctx: EventContext) => this.pump(ctx.sender));
    c.on('settled', (ctx: EventContext) => this.pump(ctx.sender));
    c.on('sender_draining', (ctx: EventContext) => {
      const entry = ctx.sender === undefined ? undefined : this.links.get(ctx.sender);
      if (entry?.kind !== 'outgoing') return;
      entry.handler.pump(entry.out);
      entry.out.completeDrain();
    });
    for (const kind of ['accepted', 'rejected', 'released', 'modified'] as const) {
      c.on(kind, (ctx: EventContext) => {
        const entry = ctx.sender === undefined ? undefined : this.links.get(ctx.sender);
        if (entry?.kind === 'outgoing' && ctx.delivery !== undefined) entry.handler.onSettlement?.(ctx.delivery, kind, remoteState(ctx.delivery));
      });
    }
    c.on('message', (ctx: EventContext) => this.onMessage(ctx));
    for (const ev of ['sender_close', 'receiver_close', 'sender_error', 'receiver_error']) {
      c.on(ev, (ctx: EventContext) => {
        const link = ctx.sender ?? ctx.receiver;
        if (link !== undefined) this.detached(link);
      });
    }
    c.on('session_error', () => undefined);
    c.on('session_close', () => undefined);
  }

  private detached(link: Link): void {
    this.tokenBound.unbind(link);
    const entry = this.links.get(link);
    if (entry === undefined) return;
    this.links.delete(link);
    if (entry.kind === 'request') return;
    entry.conn.onGone.delete(entry.onGone);
    entry.handler.onDetach?.();
  }

  private pump(sender: Sender | undefined): void {
    const entry = sender === undefined ? undefined : this.links.get(sender);
    if (entry?.kind === 'outgoing') entry.handler.pump(entry.out);
  }

  private requestNode(address: string): RequestNode | undefined {
    if (this.cbs.matches(address)) return this.cbs;
    return this.service?.requestNodes.find((n) => n.matches(address));
  }

  private mirror(link: Link, remote: AttachFields, extra: Partial<AttachFields> = {}): void {
    const local = localAttach(link);
    if (remote.source !== undefined && remote.source !== null) link.set_source(remote.source as never);
    if (remote.target !== undefined && remote.target !== null) link.set_target(remote.target as never);
    if (remote.snd_settle_mode !== undefined) local.snd_settle_mode = remote.snd_settle_mode;
    if (remote.rcv_settle_mode !== undefined) local.rcv_settle_mode = remote.rcv_settle_mode;
    const { source, ...rest } = extra;
    if (source !== undefined && source !== null) link.set_source(source as never);
    Object.assign(local, rest);
  }

  private refuse(link: Link, remote: AttachFields, error: AmqpErrorInfo): void {
    const local = localAttach(link);
    if (link.is_sender() && remote.target != null) link.set_target(remote.target as never);
    if (link.is_receiver() && remote.source != null) link.set_source(remote.source as never);
    if (remote.snd_settle_mode !== undefined) local.snd_settle_mode = remote.snd_settle_mode;
    if (remote.rcv_settle_mode !== undefined) local.rcv_settle_mode = remote.rcv_settle_mode;
    this.options.trace(`${this.options.label} refuse attach '${link.name}': ${error.condition} ${error.description}`);
    link.close(error);
  }

  private track(link: Link, entry: OutgoingEntry | IncomingEntry, path: string, right: SasRight): void {
    this.links.set(link, entry);
    this.tokenBound.bind(link, { conn: entry.conn, path, right });
    entry.conn.onGone.add(entry.onGone);
  }

  private onClientReceiver(ctx: EventContext, sender: Sender): void {
    const conn = this.connState(ctx);
    const remote = remoteAttach(sender);
    const address = normalizeAddress(remote.source?.address);
    this.options.trace(`${conn.id} attach receiver '${sender.name}' from '${address}' ${JSON.stringify(remote.properties ?? {})}`);
    const node = this.requestNode(address);
    if (node !== undefined) {
      this.mirror(sender, remote);
      conn.replyLinks.push(sender);
      return;
    }
    const error = this.faults.takeRefusal(address, 'receive') ?? this.authError(conn, address, 'Listen');
    if (error !== undefined || this.service === undefined) {
      this.refuse(sender, remote, error ?? amqpError(CONDITIONS.notFound, `No entity '${address}'.`));
      return;
    }
    const result = this.service.attachOutgoing({ conn, link: sender, address, remote });
    if ('error' in result) {
      this.refuse(sender, remote, result.error);
      return;
    }
    this.mirror(sender, remote, result.attach);
    this.track(sender, { kind: 'outgoing', out: new OutgoingLink(sender), handler: result.handler, conn, onGone: () => this.detached(sender) }, address, 'Listen');
  }

  private onClientSender(ctx: EventContext, receiver: Receiver): void {
    const conn = this.connState(ctx);
    const remote = remoteAttach(receiver);
    const address = normalizeAddress(remote.target?.address);
    this.options.trace(`${conn.id} attach sender '${receiver.name}' to '${address}'`);
    const node = this.requestNode(address);
    if (node !== undefined) {
      this.mirror(receiver, remote);
      this.links.set(receiver, { kind: 'request', node, address });
      return;
    }
    const error = this.faults.takeRefusal(address, 'send') ?? this.authError(conn, address, 'Send');
    if (error !== undefined || this.service === undefined) {
      this.refuse(receiver, remote, error ?? amqpError(CONDITIONS.notFound, `No entity '${address}'.`));
      return;
    }
    const result = this.service.attachIncoming({ conn, link: receiver, address, remote });
    if ('error' in result) {
      this.refuse(receiver, remote, result.error);
      return;
    }
    this.mirror(receiver, remote, result.attach);
    this.track(receiver, { kind: 'incoming', handler: result.handler, conn, onGone: () => this.detached(receiver) }, address, 'Send');
  }

  private authError(conn: ConnectionState, address: string, right: SasRight): AmqpErrorInfo | undefined {
    if (this.isAuthorized(conn, address, right)) return undefined;
    return amqpError(CONDITIONS.unauthorized, `Unauthorized access. '${right}' claim(s) are required to perform this operation on '${address}'. Put a valid token on $cbs first.`);
  }

  private onMessage(ctx: EventContext): void {
    const receiver = ctx.receiver;
    const delivery = ctx.delivery;
    if (receiver === undefined || delivery === undefined) return;
    const entry = this.links.get(receiver);
    if (entry === undefined) {
      delivery.reject(amqpError(CONDITIONS.notFound, 'The link is not attached to an entity.'));
      return;
    }
    if (entry.kind === 'request') {
      this.onRequest(ctx, entry);
      return;
    }
    if (entry.kind !== 'incoming') return;
    const busy = this.faults.takeBusy();
    if (busy !== undefined) {
      delivery.reject(busy);
      return;
    }
    let transfer: IncomingTransfer;
    try {
      transfer = readTransfer(ctx.message as never, (ctx as { format?: number }).format);
    } catch (err) {
      delivery.reject(amqpError(CONDITIONS.argumentError, err instanceof Error ? err.message : String(err)));
      return;
    }
    entry.handler.onTransfer(transfer, delivery);
  }

  private onRequest(ctx: EventContext, entry: RequestEntry): void {
    const conn = this.connState(ctx);
    const request = ctx.message;
    ctx.delivery?.accept();
    if (request === undefined) return;
    void Promise.resolve()
      .then(() => entry.node.handle({ conn, address: entry.address, message: request }))
      .catch((err: unknown) => ({ status: 500, condition: CONDITIONS.internalError, description: err instanceof Error ? err.message : String(err) }))
      .then((reply) => {
        if (!this.cbs.matches(entry.address)) {
          this.options.trace(`${conn.id} ${entry.address} ${String(request.application_properties?.['operation'])} → ${reply.status}${reply.condition === undefined ? '' : ` ${reply.condition}`}`);
        }
        const link = findReplyLink(conn.replyLinks, request.reply_to, entry.address);
        if (link === undefined) {
          this.options.trace(`${conn.id} no reply link for '${String(request.reply_to)}' on ${entry.address}`);
          return;
        }
        link.send(replyMessage(request, reply, entry.node.style));
      });
  }
}

export type { SasKey };

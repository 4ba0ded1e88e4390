/**
 * Narrow, typed access to the parts of rhea the double needs that its typings do not expose:
 * a link's local and remote attach fields, its credit and drain hooks, message section writers.
 */
import rhea from 'rhea';
import type { Connection, Delivery, Message, Receiver, Sender, Typed } from 'rhea';

export type Link = Sender | Receiver;

export interface AttachFields {
  name?: string;
  source?: { address?: string; filter?: Record<string, unknown> } | null;
  target?: { address?: string } | null;
  snd_settle_mode?: number;
  rcv_settle_mode?: number;
  max_message_size?: number;
  offered_capabilities?: string | string[];
  desired_capabilities?: string | string[];
  properties?: Record<string, unknown>;
}

interface LinkInternals {
  local: { attach: AttachFields & Record<string, unknown> };
  remote: { attach?: AttachFields };
  credit: number;
  delivery_count: number;
  _get_drain: () => boolean;
}

export function localAttach(link: Link): AttachFields & Record<string, unknown> {
  return (link as unknown as LinkInternals).local.attach;
}

export function remoteAttach(link: Link): AttachFields {
  return (link as unknown as LinkInternals).remote.attach ?? {};
}

export function senderCredit(sender: Sender): number {
  return (sender as unknown as LinkInternals).credit;
}

interface SessionInternals {
  outgoing: { available(): number };
}

/**
 * Room in the sender's session for more unsettled deliveries (rhea keeps at most 2048 per session
 * until the peer settles them; one more throws inside rhea and wedges the session for good).
 */
export function sessionSpace(sender: Sender): number {
  return (sender.session as unknown as SessionInternals).outgoing.available();
}

/**
 * Replaces the sender's drain hook: when `shouldReply()` answers true, the next flow frame carries
 * drain=true and the remaining credit is consumed (AMQP 1.0 §2.6.7), even when the credit already
 * reached zero through deliveries (rhea only answers a drain while credit is left).
 */
export function overrideDrain(sender: Sender, shouldReply: () => boolean): void {
  const internals = sender as unknown as LinkInternals;
  internals._get_drain = () => {
    if (!shouldReply()) return false;
    while (internals.credit > 0) {
      internals.delivery_count++;
      internals.credit--;
    }
    return true;
  };
}

/**
 * Drops a connection without an AMQP close, the way a network failure does, and lets rhea tear
 * down its side (heartbeat timers, `disconnected` event).
 */
export function abortConnection(conn: Connection): void {
  const c = conn as unknown as { socket?: unknown; abort_socket?: (socket: unknown) => void };
  if (c.socket !== undefined && typeof c.abort_socket === 'function') c.abort_socket(c.socket);
}

/** The user name a SASL PLAIN exchange authenticated on this connection, if any. */
export function saslUser(conn: Connection): string | undefined {
  const t = (conn as unknown as { sasl_transport?: { username?: string; selected?: { username?: string } } }).sasl_transport;
  return t?.username ?? t?.selected?.username;
}

export interface DispositionState {
  readonly undeliverable_here?: boolean;
  readonly delivery_failed?: boolean;
  readonly message_annotations?: Record<string, unknown>;
  readonly error?: { condition?: string; description?: string; info?: Record<string, unknown> };
}

export function remoteState(delivery: Delivery): DispositionState | undefined {
  return delivery.remote_state as DispositionState | undefined;
}

interface MessageComposites {
  header: (fields: Record<string, unknown>) => { described(): unknown };
  properties: (fields: Record<string, unknown>) => { described(): unknown };
  accepted: () => { described(): unknown };
  rejected: (fields?: Record<string, unknown>) => { described(): unknown };
  released: () => { described(): unknown };
  modified: (fields?: Record<string, unknown>) => { described(): unknown };
}

const composites = rhea.message as unknown as MessageComposites;

export const outcomes = {
  accepted: (): unknown => composites.accepted().described(),
  rejected: (error?: { condition: string; description: string; info?: Record<string, unknown> }): unknown =>
    composites.rejected(error === undefined ? {} : { error }).described(),
  released: (): unknown => composites.released().described(),
  modified: (fields: Record<string, unknown> = {}): unknown => composites.modified(fields).described(),
};

export function describedHeader(fields: Record<string, unknown>): unknown {
  return composites.header(fields).described();
}

export function describedProperties(fields: Record<string, unknown>): unknown {
  return composites.properties(fields).described();
}

export function encodeMessage(msg: Message): Buffer {
  return rhea.message.encode(msg);
}

export function decodeMessage(raw: Buffer): Message {
  return rhea.message.decode(raw) as unknown as Message;
}

export interface SectionReader { position: number; read(): Typed; remaining(): number }
export interface SectionWriter { write(value: unknown): void; toBuffer(): Buffer }

const codec = rhea.types as unknown as { Reader: new (b: Buffer) => SectionReader; Writer: new () => SectionWriter };

export function newReader(buffer: Buffer): SectionReader {
  return new codec.Reader(buffer);
}

export function newWriter(): SectionWriter {
  return new codec.Writer();
}

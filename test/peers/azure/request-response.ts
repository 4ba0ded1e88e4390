/**
 * Request/response nodes (`$cbs`, `$management`, `<entity>/$management`): the client attaches a
 * sender to the node and a receiver whose name or address it puts in `reply_to`; every request is
 * answered on that receiver with `correlation_id = message_id` and a status code.
 */
import type { Message, Sender } from 'rhea';
import type { ConnectionState } from './connection-state.ts';
import { remoteAttach } from './rhea-access.ts';

export interface RequestContext {
  conn: ConnectionState;
  /** The node address the request was sent to, e.g. `$management` or `q1/$management`. */
  address: string;
  message: Message;
}

export interface Reply {
  status: number;
  description?: string;
  condition?: string;
  body?: unknown;
}

/** `kebab`: `status-code` (CBS, Event Hubs); `camel`: `statusCode` (Service Bus management). */
export type StatusStyle = 'kebab' | 'camel';

export interface RequestNode {
  matches(address: string): boolean;
  style: StatusStyle;
  handle(ctx: RequestContext): Reply | Promise<Reply>;
}

export function ok(body?: unknown, status = 200): Reply {
  return body === undefined ? { status, description: 'OK' } : { status, description: 'OK', body };
}

export function fail(status: number, condition: string, description: string): Reply {
  return { status, condition, description };
}

export function replyMessage(request: Message, reply: Reply, style: StatusStyle): Message {
  const props: Record<string, unknown> = style === 'kebab'
    ? { 'status-code': reply.status, 'status-description': reply.description ?? '' }
    : { statusCode: reply.status, statusDescription: reply.description ?? '' };
  if (reply.condition !== undefined) props[style === 'kebab' ? 'error-condition' : 'errorCondition'] = reply.condition;
  const msg: Message = { application_properties: props, body: reply.body ?? null };
  const correlation = request.message_id ?? request.correlation_id;
  if (correlation !== undefined) msg.correlation_id = correlation;
  if (request.reply_to !== undefined) msg.to = request.reply_to;
  return msg;
}

/** Picks the link to answer on: named by `reply_to` (link name or target address), else the node's only reply link. */
export function findReplyLink(links: readonly Sender[], replyTo: string | undefined, node: string): Sender | undefined {
  const open = links.filter((l) => l.is_open());
  if (replyTo !== undefined) {
    const named = open.find((l) => l.name === replyTo || remoteAttach(l).target?.address === replyTo);
    if (named !== undefined) return named;
  }
  const forNode = open.filter((l) => (remoteAttach(l).source?.address ?? '').toLowerCase() === node.toLowerCase());
  return forNode.length >= 1 ? forNode[forNode.length - 1] : undefined;
}

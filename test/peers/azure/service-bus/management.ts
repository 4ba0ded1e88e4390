/**
 * The Service Bus `<entity>/$management` node: renew-lock, peek-message, update-disposition,
 * schedule-message, cancel-scheduled-message, receive-by-sequence-number, and for sessions
 * renew-session-lock, get-session-state and set-session-state, answered with
 * `statusCode` / `statusDescription` as Service Bus does.
 */
import rhea from 'rhea';
import type { Message } from 'rhea';
import { CONDITIONS, statusForCondition } from '../conditions.ts';
import type { Reply, RequestContext, RequestNode } from '../request-response.ts';
import { fail, ok } from '../request-response.ts';
import { tokenFromUuid, uuidBytes } from './lock-token.ts';
import type { MessageStore, SettleResult } from './message-store.ts';
import { encodeForClient } from './receiver-link.ts';

const { wrap_array, wrap_timestamp, wrap_uuid } = rhea.types;

export interface ManagementTarget {
  /** The store the management node of `entity` acts on (a queue, subscription or dead-letter queue). */
  store(entity: string): MessageStore | undefined;
  /** Schedules encoded messages (with `x-opt-scheduled-enqueue-time`) on a queue or topic; returns their sequence numbers. */
  schedule(entity: string, messages: Buffer[]): number[] | undefined;
  cancelScheduled(entity: string, sequenceNumbers: number[]): boolean;
  isAuthorized(ctx: RequestContext, path: string): boolean;
}

function asNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (Buffer.isBuffer(v) && v.length === 8) return Number(v.readBigInt64BE());
  return Number(v);
}

function asList(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  return v === undefined || v === null ? [] : [v];
}

function bodyMap(msg: Message): Record<string, unknown> {
  const b: unknown = msg.body;
  return b !== null && typeof b === 'object' && !Buffer.isBuffer(b) ? (b as Record<string, unknown>) : {};
}

function settleReply(result: SettleResult): Reply {
  return result.ok ? ok() : fail(statusForCondition(result.error.condition), result.error.condition, result.error.description);
}

export function serviceBusManagementNode(target: ManagementTarget): RequestNode {
  return {
    style: 'camel',
    matches: (address) => /\/\$management$/i.test(address),
    handle(ctx: RequestContext): Reply {
      const entity = ctx.address.replace(/\/\$management$/i, '');
      const operation = String(ctx.message.application_properties?.['operation'] ?? '');
      if (!target.isAuthorized(ctx, ctx.address)) return fail(401, CONDITIONS.unauthorized, `Unauthorized access to '${ctx.address}'. Put a valid token on $cbs first.`);
      const body = bodyMap(ctx.message);
      if (operation === 'com.microsoft:schedule-message') {
        const messages = asList(body['messages']).map((m) => (m as Record<string, unknown>)['message']).filter((m): m is Buffer => Buffer.isBuffer(m));
        const seqs = target.schedule(entity, messages);
        if (seqs === undefined) return fail(404, CONDITIONS.notFound, `The messaging entity '${entity}' could not be found.`);
        return ok({ 'sequence-numbers': wrap_array(seqs, 0x81, undefined) });
      }
      if (operation === 'com.microsoft:cancel-scheduled-message') {
        const seqs = asList(body['sequence-numbers']).map(asNumber);
        return target.cancelScheduled(entity, seqs) ? ok() : fail(404, CONDITIONS.messageNotFound, 'The scheduled message was not found.');
      }
      const store = target.store(entity);
      if (store === undefined) return fail(404, CONDITIONS.notFound, `The messaging entity '${entity}' could not be found.`);
      switch (operation) {
        case 'com.microsoft:renew-lock': {
          const expirations: number[] = [];
          for (const raw of asList(body['lock-tokens'])) {
            const token = tokenFromUuid(raw);
            const r = token === undefined ? undefined : store.renew(token);
            if (r === undefined || !r.ok) return fail(410, CONDITIONS.messageLockLost, 'The lock supplied is invalid. Either the lock expired, or the message has already been removed from the queue.');
            expirations.push(r.lockedUntilMs);
          }
          return ok({ expirations: wrap_array(expirations, 0x83, undefined) });
        }
        case 'com.microsoft:renew-session-lock':
        case 'com.microsoft:get-session-state':
        case 'com.microsoft:set-session-state': {
          const sessionId = String(body['session-id'] ?? '');
          const sessions = store.sessions;
          if (sessions === undefined) return fail(400, CONDITIONS.notAllowed, `'${entity}' is not session-enabled.`);
          if (sessions.held(sessionId) === undefined) return fail(410, CONDITIONS.sessionLockLost, 'The session lock has expired on the MessageSession. Accept a new MessageSession.');
          if (operation === 'com.microsoft:renew-session-lock') return ok({ expiration: wrap_timestamp(sessions.renew(sessionId)?.lockedUntilMs ?? Date.now()) });
          if (operation === 'com.microsoft:get-session-state') return ok({ 'session-state': sessions.getState(sessionId) ?? null });
          const state = body['session-state'];
          sessions.setState(sessionId, Buffer.isBuffer(state) ? state : undefined);
          return ok();
        }
        case 'com.microsoft:peek-message': {
          const from = asNumber(body['from-sequence-number'] ?? 0);
          const count = asNumber(body['message-count'] ?? 1);
          const found = store.peek(from, count);
          if (found.length === 0) return { status: 204, description: 'No messages' };
          return ok({ messages: found.map((m) => ({ message: encodeForClient(m) })) });
        }
        case 'com.microsoft:update-disposition': {
          const status = String(body['disposition-status'] ?? '');
          const props = (body['properties-to-modify'] ?? undefined) as Record<string, unknown> | undefined;
          for (const raw of asList(body['lock-tokens'])) {
            const token = tokenFromUuid(raw) ?? '';
            let r: SettleResult;
            if (status === 'completed') r = store.complete(token);
            else if (status === 'abandoned') r = store.abandon(token, props);
            else if (status === 'defered' || status === 'deferred') r = store.defer(token, props);
            else if (status === 'suspended') {
              const reason = body['deadletter-reason'];
              const description = body['deadletter-description'];
              r = store.deadLetter(token, reason === undefined ? undefined : String(reason), description === undefined ? undefined : String(description), props);
            } else return fail(400, CONDITIONS.argumentError, `Unknown disposition status '${status}'.`);
            if (!r.ok) return settleReply(r);
          }
          return ok();
        }
        case 'com.microsoft:receive-by-sequence-number': {
          const seqs = asList(body['sequence-numbers']).map(asNumber);
          const deleteMode = asNumber(body['receiver-settle-mode'] ?? 1) === 0;
          const found = store.takeDeferred(seqs);
          if (found.length < seqs.length) return fail(404, CONDITIONS.messageNotFound, 'The requested deferred message(s) were not found.');
          const messages = found.map((m) => {
            const entry: Record<string, unknown> = { message: encodeForClient(m, m.lock?.lockedUntilMs) };
            if (m.lock !== undefined) entry['lock-token'] = wrap_uuid(uuidBytes(m.lock.token));
            if (deleteMode) store.removeDeferred(m);
            return entry;
          });
          return ok({ messages });
        }
        default:
          return fail(501, CONDITIONS.notImplemented, `The double does not implement the management operation '${operation}'.`);
      }
    },
  };
}

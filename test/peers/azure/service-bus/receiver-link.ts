/**
 * A Service Bus receiver link. Peek-lock: each delivery is locked, tagged with its lock token in
 * .NET GUID byte order, annotated with sequence number, enqueued time and locked-until, and left
 * unsettled; the client's disposition (complete, abandon, defer, dead-letter) is applied and the
 * double settles it, with `com.microsoft:message-lock-lost` when the lock is gone. Receive-and-
 * delete: deliveries are sent settled and removed. The locks belong to the link: when it detaches
 * (or its connection drops) every message it still holds unsettled is released. A session
 * receiver delivers only its session's messages, in order, under the session lock, and gives the
 * session up when it detaches; an expired session lock detaches it with session-lock-lost.
 */
import rhea from 'rhea';
import type { Delivery } from 'rhea';
import { composeDelivery } from '../amqp-message.ts';
import type { OutgoingHandler, SettlementKind } from '../namespace.ts';
import type { OutgoingLink } from '../outgoing-link.ts';
import type { DispositionState } from '../rhea-access.ts';
import { outcomes } from '../rhea-access.ts';
import { deliveryTag } from './lock-token.ts';
import type { MessageStore, SbMessage, SettleResult } from './message-store.ts';
import type { SessionLock } from './session-locks.ts';

const { wrap_long, wrap_timestamp } = rhea.types;

export type ReceiveMode = 'peekLock' | 'receiveAndDelete';

/** Encodes a stored message for delivery or peek, with the broker annotations. */
export function encodeForClient(msg: SbMessage, lockedUntilMs?: number): Buffer {
  const annotations: Record<string, unknown> = {
    'x-opt-sequence-number': wrap_long(msg.sequenceNumber),
    'x-opt-enqueued-time': wrap_timestamp(msg.enqueuedTimeMs),
  };
  if (lockedUntilMs !== undefined) annotations['x-opt-locked-until'] = wrap_timestamp(lockedUntilMs);
  if (msg.state === 'deferred') annotations['x-opt-message-state'] = 1;
  if (msg.state === 'scheduled') annotations['x-opt-message-state'] = 2;
  return composeDelivery(msg.raw, {
    header: { delivery_count: Math.max(0, msg.attempts - 1) },
    messageAnnotations: annotations,
  });
}

function stringProps(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

export class SbReceiverLink implements OutgoingHandler {
  readonly mode: ReceiveMode;
  private readonly store: MessageStore;
  private readonly tokens = new Map<Delivery, string>();
  private readonly session: SessionLock | undefined;
  private out: OutgoingLink | undefined;
  private readonly unsubscribe: () => void;

  constructor(store: MessageStore, mode: ReceiveMode, session?: SessionLock) {
    this.store = store;
    this.mode = mode;
    this.session = session;
    this.unsubscribe = store.onChange(() => { if (this.out !== undefined) this.pump(this.out); });
  }

  pump(out: OutgoingLink): void {
    this.out = out;
    while (out.available() > 0) {
      const msg = this.store.next(this.session?.sessionId);
      if (msg === undefined) return;
      if (this.mode === 'receiveAndDelete') {
        this.store.take(msg);
        out.send(encodeForClient(msg));
        continue;
      }
      const lock = this.session === undefined ? this.store.lock(msg) : this.store.lockInSession(msg, this.session);
      const delivery = out.send(encodeForClient(msg, lock.lockedUntilMs), deliveryTag(lock.token));
      this.tokens.set(delivery, lock.token);
    }
  }

  onSettlement(delivery: Delivery, kind: SettlementKind, state: DispositionState | undefined): void {
    if (this.mode === 'receiveAndDelete') return;
    const token = this.tokens.get(delivery);
    if (token === undefined) return;
    this.tokens.delete(delivery);
    let result: SettleResult;
    let reply: unknown;
    switch (kind) {
      case 'accepted':
        result = this.store.complete(token);
        reply = outcomes.accepted();
        break;
      case 'rejected': {
        const info = stringProps(state?.error?.info) ?? {};
        const { DeadLetterReason: reason, DeadLetterErrorDescription: description, ...props } = info;
        result = this.store.deadLetter(token, reason === undefined ? undefined : String(reason), description === undefined ? undefined : String(description), props);
        reply = outcomes.rejected();
        break;
      }
      case 'modified': {
        const props = stringProps(state?.message_annotations);
        result = state?.undeliverable_here === true ? this.store.defer(token, props) : this.store.abandon(token, props);
        reply = outcomes.modified({ delivery_failed: state?.delivery_failed === true, undeliverable_here: state?.undeliverable_here === true });
        break;
      }
      case 'released':
        result = this.store.abandon(token, undefined);
        reply = outcomes.released();
        break;
    }
    delivery.update(true, result.ok ? reply : outcomes.rejected(result.error));
  }

  onDetach(): void {
    this.unsubscribe();
    this.out = undefined;
    const held = [...this.tokens.values()];
    this.tokens.clear();
    for (const token of held) this.store.releaseLock(token);
    if (this.session !== undefined) this.store.releaseSession(this.session.sessionId, this.session.owner);
  }
}

/**
 * The messages of one Service Bus queue, subscription or dead-letter queue: sequence order,
 * peek-lock with lock duration and tokens, delivery attempts, max delivery count → dead-letter
 * queue, lock expiry → redelivery, deferral, scheduled messages and time-to-live expiry. A lock
 * belongs to the receiver link that took it: when the link goes (detach, dropped connection) its
 * messages are released and come back with delivery count + 1. Session-enabled entities lock by
 * session (session-locks.ts): a message delivered in a session is locked by the session lock.
 */
import { withApplicationProperties } from '../amqp-message.ts';
import type { AmqpErrorInfo } from '../conditions.ts';
import { CONDITIONS, amqpError } from '../conditions.ts';
import type { NormalizedRules } from '../topology.ts';
import { newLockToken } from './lock-token.ts';
import type { SessionLock } from './session-locks.ts';
import { SessionLocks } from './session-locks.ts';

export type MessageState = 'active' | 'deferred' | 'scheduled';

export interface Lock {
  token: string;
  lockedUntilMs: number;
  /** Own expiry timer; none for a message locked by its session's lock. */
  timer: NodeJS.Timeout | undefined;
  /** Set when the message is locked by this session's lock. */
  sessionId?: string | undefined;
}

export interface SbMessage {
  sequenceNumber: number;
  enqueuedTimeMs: number;
  raw: Buffer;
  messageId: string | undefined;
  /** The AMQP `group_id`. */
  sessionId: string | undefined;
  /** Locks acquired so far (the AMQP header's delivery_count is the prior attempts). */
  attempts: number;
  state: MessageState;
  lock: Lock | undefined;
  expiresAtMs: number | undefined;
  scheduledEnqueueTimeMs: number | undefined;
}

export interface EnqueueOptions {
  sequenceNumber: number;
  messageId: string | undefined;
  sessionId?: string | undefined;
  ttlMs?: number | undefined;
  scheduledEnqueueTimeMs?: number | undefined;
  attempts?: number;
}

export type SettleResult = { ok: true; message: SbMessage } | { ok: false; error: AmqpErrorInfo };

export const LOCK_LOST = amqpError(CONDITIONS.messageLockLost,
  'The lock supplied is invalid. Either the lock expired, or the message has already been removed from the queue.');

export const SESSION_LOCK_LOST = amqpError(CONDITIONS.sessionLockLost,
  'The session lock has expired on the MessageSession. Accept a new MessageSession.');

export type AcceptResult = { ok: true; lock: SessionLock } | { ok: false; error: AmqpErrorInfo };

export class MessageStore {
  readonly path: string;
  readonly rules: NormalizedRules;
  readonly deadLetterQueue: MessageStore | undefined;
  /** In sequence-number order; kept sorted by insertion, so no operation re-sorts or copies it. */
  private readonly messages: SbMessage[] = [];
  /** No unlocked message expires before this (it may be earlier than the real first expiry: sweep then scans and recomputes it). */
  private nextExpiryMs = Infinity;
  private readonly locked = new Map<string, SbMessage>();
  private readonly listeners = new Set<() => void>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Session-enabled entities only. */
  readonly sessions: SessionLocks | undefined;
  private readonly sessionLost = new Map<string, (lock: SessionLock) => void>();

  constructor(path: string, rules: NormalizedRules, deadLetterQueue: MessageStore | undefined) {
    this.path = path;
    this.rules = rules;
    this.deadLetterQueue = deadLetterQueue;
    if (rules.requiresSession) {
      this.sessions = new SessionLocks(rules.lockDurationMs, (lock) => {
        this.releaseSessionMessages(lock.sessionId);
        this.sessionLost.get(lock.owner)?.(lock);
      });
    }
  }

  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private notify(): void {
    for (const fn of [...this.listeners]) fn();
  }

  private timer(ms: number, fn: () => void): NodeJS.Timeout {
    const t = setTimeout(() => { this.timers.delete(t); fn(); }, Math.max(0, ms));
    this.timers.add(t);
    return t;
  }

  private clearTimer(t: NodeJS.Timeout | undefined): void {
    if (t === undefined) return;
    clearTimeout(t);
    this.timers.delete(t);
  }

  enqueue(raw: Buffer, opts: EnqueueOptions): SbMessage {
    const now = Date.now();
    const ttl = [opts.ttlMs, this.rules.defaultTtlMs].filter((v): v is number => v !== undefined && v > 0);
    const scheduled = opts.scheduledEnqueueTimeMs !== undefined && opts.scheduledEnqueueTimeMs > now;
    const enqueuedTimeMs = scheduled ? (opts.scheduledEnqueueTimeMs ?? now) : now;
    const msg: SbMessage = {
      sequenceNumber: opts.sequenceNumber, enqueuedTimeMs, raw, messageId: opts.messageId, sessionId: opts.sessionId,
      attempts: opts.attempts ?? 0, state: scheduled ? 'scheduled' : 'active', lock: undefined,
      expiresAtMs: ttl.length > 0 ? enqueuedTimeMs + Math.min(...ttl) : undefined,
      scheduledEnqueueTimeMs: opts.scheduledEnqueueTimeMs,
    };
    this.insert(msg);
    this.noteExpiry(msg);
    if (scheduled) {
      this.timer(enqueuedTimeMs - now, () => {
        if (msg.state !== 'scheduled' || !this.messages.includes(msg)) return;
        msg.state = 'active';
        this.notify();
      });
    }
    if (msg.expiresAtMs !== undefined) this.timer(msg.expiresAtMs - now + 1, () => this.sweep());
    this.notify();
    return msg;
  }

  /** First index whose sequence number is above `sequenceNumber` (`orEqual`: at or above it). */
  private indexAfter(sequenceNumber: number, orEqual: boolean): number {
    let lo = 0;
    let hi = this.messages.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const s = this.messages[mid]?.sequenceNumber ?? Infinity;
      if (s < sequenceNumber || (!orEqual && s === sequenceNumber)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Keeps sequence order: appended when newest (every send), else put in its place (a dead letter keeps its number). */
  private insert(msg: SbMessage): void {
    const last = this.messages[this.messages.length - 1];
    if (last === undefined || last.sequenceNumber <= msg.sequenceNumber) this.messages.push(msg);
    else this.messages.splice(this.indexAfter(msg.sequenceNumber, false), 0, msg);
  }

  private noteExpiry(msg: SbMessage): void {
    if (msg.expiresAtMs !== undefined && msg.lock === undefined) this.nextExpiryMs = Math.min(this.nextExpiryMs, msg.expiresAtMs);
  }

  /** Expires messages past their time to live (locked ones once their lock ends). */
  sweep(): void {
    const now = Date.now();
    if (now < this.nextExpiryMs) return;
    this.nextExpiryMs = Infinity;
    const expired: SbMessage[] = [];
    for (const m of this.messages) {
      if (m.lock === undefined && m.expiresAtMs !== undefined && m.expiresAtMs <= now) expired.push(m);
      else this.noteExpiry(m);
    }
    for (const m of expired) {
      if (this.rules.deadLetterOnExpiration) this.moveToDeadLetter(m, 'TTLExpiredException', 'The message expired and was dead lettered.');
      else this.remove(m);
    }
  }

  /** The next message a receiver (of `sessionId`, on a session-enabled entity) may take, oldest first. */
  next(sessionId?: string): SbMessage | undefined {
    this.sweep();
    return this.messages.find((m) => m.state === 'active' && m.lock === undefined && (sessionId === undefined || m.sessionId === sessionId));
  }

  /**
   * Locks a session for a receiver link: the one asked for, or (undefined) the oldest session with
   * a message available and no receiver. `onLost` runs if the lock expires while the link holds it.
   */
  acceptSession(sessionId: string | undefined, owner: string, onLost: (lock: SessionLock) => void): AcceptResult {
    const sessions = this.sessions;
    if (sessions === undefined) throw new RangeError(`${this.path} is not session-enabled`);
    this.sweep();
    let id = sessionId;
    if (id === undefined) {
      id = this.messages.find((m) => m.state === 'active' && m.lock === undefined && m.sessionId !== undefined && sessions.held(m.sessionId) === undefined)?.sessionId;
      if (id === undefined) return { ok: false, error: amqpError(CONDITIONS.timeout, 'The operation did not complete within the allocated time: no unlocked session with messages is available.') };
    } else if (sessions.held(id) !== undefined) {
      return { ok: false, error: amqpError(CONDITIONS.sessionCannotBeLocked, `The requested session '${id}' cannot be accepted. It may be locked by another receiver.`) };
    }
    this.sessionLost.set(owner, onLost);
    return { ok: true, lock: sessions.acquire(id, owner) };
  }

  /** The link holding a session closes it: its lock ends and its unsettled messages come back. */
  releaseSession(sessionId: string, owner: string): void {
    this.sessionLost.delete(owner);
    if (this.sessions?.release(sessionId, owner) === true) this.releaseSessionMessages(sessionId);
  }

  private releaseSessionMessages(sessionId: string): void {
    for (const m of this.messages.filter((x) => x.lock?.sessionId === sessionId)) this.release(m);
    this.notify();
  }

  /** Locks a message delivered in a held session (counts a delivery attempt). */
  lockInSession(msg: SbMessage, session: SessionLock): Lock {
    msg.attempts++;
    const token = newLockToken();
    msg.lock = { token, lockedUntilMs: session.lockedUntilMs, timer: undefined, sessionId: session.sessionId };
    this.locked.set(token, msg);
    return msg.lock;
  }

  /** The link that took the lock is gone: the message is available again (delivery count + 1 on its next delivery). */
  releaseLock(token: string): void {
    const msg = this.locked.get(token);
    if (msg === undefined || msg.lock?.token !== token) return;
    this.release(msg);
    this.notify();
  }

  private release(msg: SbMessage): void {
    this.unlock(msg);
    if (!this.maybeDeadLetterForAttempts(msg)) this.sweep();
  }

  /** Locks a message for a peek-lock receiver (counts a delivery attempt). */
  lock(msg: SbMessage): Lock {
    msg.attempts++;
    const token = newLockToken();
    const lockedUntilMs = Date.now() + this.rules.lockDurationMs;
    msg.lock = { token, lockedUntilMs, timer: this.timer(this.rules.lockDurationMs, () => this.lockExpired(msg, token)) };
    this.locked.set(token, msg);
    return msg.lock;
  }

  /** Removes a message delivered in receive-and-delete mode. */
  take(msg: SbMessage): void {
    msg.attempts++;
    this.remove(msg);
  }

  private lockExpired(msg: SbMessage, token: string): void {
    if (msg.lock?.token !== token) return;
    this.release(msg);
    this.notify();
  }

  private unlock(msg: SbMessage): void {
    if (msg.lock === undefined) return;
    this.clearTimer(msg.lock.timer);
    this.locked.delete(msg.lock.token);
    msg.lock = undefined;
    this.noteExpiry(msg);
  }

  private maybeDeadLetterForAttempts(msg: SbMessage): boolean {
    if (this.deadLetterQueue === undefined || msg.attempts < this.rules.maxDeliveryCount) return false;
    this.moveToDeadLetter(msg, 'MaxDeliveryCountExceeded', `Message could not be consumed after ${this.rules.maxDeliveryCount} delivery attempts.`);
    return true;
  }

  private remove(msg: SbMessage): void {
    this.unlock(msg);
    for (let i = this.indexAfter(msg.sequenceNumber, true); i < this.messages.length && this.messages[i]?.sequenceNumber === msg.sequenceNumber; i++) {
      if (this.messages[i] !== msg) continue;
      this.removeAt(i);
      return;
    }
  }

  /** Settled messages sit near the head: shifting the few before them and the head off (V8 trims it) is cheaper than moving the tail. */
  private removeAt(i: number): void {
    const a = this.messages;
    if (i > a.length / 2) {
      a.splice(i, 1);
      return;
    }
    for (let j = i; j > 0; j--) a[j] = a[j - 1] as SbMessage;
    a.shift();
  }

  private moveToDeadLetter(msg: SbMessage, reason: string | undefined, description: string | undefined, props: Record<string, unknown> = {}): void {
    this.remove(msg);
    const dlq = this.deadLetterQueue;
    if (dlq === undefined) return;
    const stamp: Record<string, unknown> = { ...props };
    if (reason !== undefined) stamp['DeadLetterReason'] = reason;
    if (description !== undefined) stamp['DeadLetterErrorDescription'] = description;
    dlq.enqueue(withApplicationProperties(msg.raw, stamp), { sequenceNumber: msg.sequenceNumber, messageId: msg.messageId, sessionId: msg.sessionId, attempts: msg.attempts });
  }

  /** Dead-letters a message that arrives without the session id this session-enabled entity needs (as a topic subscription does). */
  deadLetterSessionless(raw: Buffer, opts: EnqueueOptions): void {
    this.moveToDeadLetter(this.enqueue(raw, opts), 'Session id is null.', 'Session enabled entity doesn\'t allow a message whose session identifier is null.');
  }

  private lockedMessage(token: string): SbMessage | undefined {
    const msg = this.locked.get(token);
    if (msg === undefined || msg.lock === undefined) return undefined;
    const sessionId = msg.lock.sessionId;
    if (sessionId !== undefined) return this.sessions?.held(sessionId) === undefined ? undefined : msg;
    return msg.lock.lockedUntilMs < Date.now() ? undefined : msg;
  }

  private lostError(token: string): AmqpErrorInfo {
    return this.locked.get(token)?.lock?.sessionId === undefined ? LOCK_LOST : SESSION_LOCK_LOST;
  }

  complete(token: string): SettleResult {
    const msg = this.lockedMessage(token);
    if (msg === undefined) return { ok: false, error: this.lostError(token) };
    this.remove(msg);
    return { ok: true, message: msg };
  }

  abandon(token: string, props: Record<string, unknown> | undefined): SettleResult {
    const msg = this.lockedMessage(token);
    if (msg === undefined) return { ok: false, error: this.lostError(token) };
    this.unlock(msg);
    if (props !== undefined && Object.keys(props).length > 0) msg.raw = withApplicationProperties(msg.raw, props);
    this.maybeDeadLetterForAttempts(msg);
    this.notify();
    return { ok: true, message: msg };
  }

  defer(token: string, props: Record<string, unknown> | undefined): SettleResult {
    const msg = this.lockedMessage(token);
    if (msg === undefined) return { ok: false, error: this.lostError(token) };
    this.unlock(msg);
    if (props !== undefined && Object.keys(props).length > 0) msg.raw = withApplicationProperties(msg.raw, props);
    msg.state = 'deferred';
    return { ok: true, message: msg };
  }

  deadLetter(token: string, reason: string | undefined, description: string | undefined, props: Record<string, unknown> | undefined): SettleResult {
    const msg = this.lockedMessage(token);
    if (msg === undefined) return { ok: false, error: this.lostError(token) };
    this.moveToDeadLetter(msg, reason, description, props);
    return { ok: true, message: msg };
  }

  renew(token: string): { ok: true; lockedUntilMs: number } | { ok: false; error: AmqpErrorInfo } {
    const msg = this.lockedMessage(token);
    if (msg === undefined || msg.lock === undefined || msg.lock.sessionId !== undefined) return { ok: false, error: LOCK_LOST };
    this.clearTimer(msg.lock.timer);
    const lockedUntilMs = Date.now() + this.rules.lockDurationMs;
    msg.lock.lockedUntilMs = lockedUntilMs;
    msg.lock.timer = this.timer(this.rules.lockDurationMs, () => this.lockExpired(msg, token));
    return { ok: true, lockedUntilMs };
  }

  /** Messages from a sequence number on, as peek sees them (no lock taken). */
  peek(fromSequenceNumber: number, count: number): SbMessage[] {
    this.sweep();
    return this.messages.filter((m) => m.sequenceNumber >= fromSequenceNumber).slice(0, count);
  }

  /** Deferred messages by sequence number, locked for the caller (receive-by-sequence-number). */
  takeDeferred(sequenceNumbers: number[]): SbMessage[] {
    const found = this.messages.filter((m) => m.state === 'deferred' && sequenceNumbers.includes(m.sequenceNumber));
    for (const m of found) {
      if (m.lock === undefined) this.lock(m);
    }
    return found;
  }

  /** Removes a deferred message received in receive-and-delete mode. */
  removeDeferred(msg: SbMessage): void {
    this.remove(msg);
  }

  cancelScheduled(sequenceNumber: number): boolean {
    const msg = this.messages.find((m) => m.sequenceNumber === sequenceNumber && m.state === 'scheduled');
    if (msg === undefined) return false;
    this.remove(msg);
    return true;
  }

  list(): readonly SbMessage[] {
    this.sweep();
    return this.messages;
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.listeners.clear();
    this.sessions?.stop();
  }
}

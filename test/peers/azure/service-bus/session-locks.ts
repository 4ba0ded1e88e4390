/**
 * The session locks and session states of one session-enabled queue or subscription. A session is
 * held by one receiver link at a time (its owner) until the link detaches, the receiver closes it,
 * or its lock expires (lock duration, extended by renew-session-lock); the messages delivered in
 * a session are locked by the session lock, not one by one. A session's state outlives its locks.
 */
import { randomUUID } from 'node:crypto';

export interface SessionLock {
  sessionId: string;
  /** The receiver link holding it. */
  owner: string;
  lockedUntilMs: number;
  timer: NodeJS.Timeout;
}

export class SessionLocks {
  private readonly lockDurationMs: number;
  private readonly onExpired: (lock: SessionLock) => void;
  private readonly locks = new Map<string, SessionLock>();
  private readonly states = new Map<string, Buffer>();

  constructor(lockDurationMs: number, onExpired: (lock: SessionLock) => void) {
    this.lockDurationMs = lockDurationMs;
    this.onExpired = onExpired;
  }

  static newOwner(): string {
    return randomUUID();
  }

  /** The live lock of a session, if any. */
  held(sessionId: string): SessionLock | undefined {
    const lock = this.locks.get(sessionId);
    return lock !== undefined && lock.lockedUntilMs >= Date.now() ? lock : undefined;
  }

  acquire(sessionId: string, owner: string): SessionLock {
    const lock: SessionLock = { sessionId, owner, lockedUntilMs: 0, timer: setTimeout(() => undefined, 0) };
    this.locks.set(sessionId, lock);
    this.arm(lock);
    return lock;
  }

  /** Extends a held lock by the lock duration; undefined when it is gone. */
  renew(sessionId: string): SessionLock | undefined {
    const lock = this.held(sessionId);
    if (lock !== undefined) this.arm(lock);
    return lock;
  }

  /** Ends the owner's lock on the session; false when the owner did not hold it. */
  release(sessionId: string, owner: string): boolean {
    const lock = this.locks.get(sessionId);
    if (lock?.owner !== owner) return false;
    clearTimeout(lock.timer);
    this.locks.delete(sessionId);
    return true;
  }

  getState(sessionId: string): Buffer | undefined {
    return this.states.get(sessionId);
  }

  setState(sessionId: string, state: Buffer | undefined): void {
    if (state === undefined || state.length === 0) this.states.delete(sessionId);
    else this.states.set(sessionId, state);
  }

  stop(): void {
    for (const lock of this.locks.values()) clearTimeout(lock.timer);
    this.locks.clear();
  }

  private arm(lock: SessionLock): void {
    clearTimeout(lock.timer);
    lock.lockedUntilMs = Date.now() + this.lockDurationMs;
    lock.timer = setTimeout(() => {
      if (this.locks.get(lock.sessionId) !== lock) return;
      this.locks.delete(lock.sessionId);
      this.onExpired(lock);
    }, this.lockDurationMs + 1);
  }
}

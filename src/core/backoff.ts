/** Exponential backoff with full jitter: attempt 0 waits up to `initialMs`, doubling to `maxMs`. */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  factor?: number;
  /** Returns a number in [0, 1); injectable for tests. */
  random?: () => number;
}

export function backoffDelayMs(attempt: number, opts: BackoffOptions): number {
  const factor = opts.factor ?? 2;
  const cap = Math.min(opts.maxMs, opts.initialMs * factor ** Math.max(0, attempt));
  const random = opts.random ?? Math.random;
  // Half fixed, half jitter: never zero (no hot loop), never in lock-step with other clients.
  return Math.round(cap / 2 + random() * (cap / 2));
}

/** Tracks consecutive failures and yields the next delay. `reset()` after a success. */
export class Backoff {
  private attempt = 0;
  private readonly opts: BackoffOptions;

  constructor(opts: BackoffOptions) {
    this.opts = opts;
  }

  next(): number {
    return backoffDelayMs(this.attempt++, this.opts);
  }

  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}

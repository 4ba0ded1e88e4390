/**
 * Waiting with a deadline: a stop drains for at most `drainMs`, a shutdown waits for calls in
 * flight for at most a grace period. The work itself is not cancelled (its owner decides what to do
 * with what is left); only the wait ends.
 */
import { systemClock, type Clock, type TimerHandle } from './clock.ts';

/**
 * Waits for `work` at most `ms`: true when it settled (resolved or rejected) in time, false when the
 * deadline came first. Never rejects.
 */
export async function waitAtMost(work: Promise<unknown>, ms: number, clock: Clock = systemClock): Promise<boolean> {
  let timer: TimerHandle | null = null;
  const deadline = new Promise<false>((resolve) => {
    timer = clock.setTimeout(() => resolve(false), Math.max(0, ms));
  });
  const settled = work.then(() => true as const, () => true as const);
  try {
    return await Promise.race([settled, deadline]);
  } finally {
    if (timer) clock.clearTimeout(timer);
  }
}

/**
 * Resolves once `pending` is empty: a set from which each promise removes itself when it settles
 * (deliveries, settle calls). Promises added while waiting are waited for too.
 */
export async function untilSettled(pending: ReadonlySet<Promise<unknown>>): Promise<void> {
  while (pending.size > 0) await Promise.allSettled([...pending]);
}

/**
 * Waiting in tests, one helper for all: poll a condition (sync or async) until it holds, or sleep.
 *
 *   await waitFor(() => ctx.delivered.length === 10, 'ten deliveries');
 *   const status = await waitFor(async () => (await api.status()).state === 'RUNNING' && status, 'running', 60_000);
 */

/**
 * Polls `probe` every `everyMs` until it returns something truthy, and returns that. A probe that
 * throws is polled again (the last error is named if time runs out). Fails after `timeoutMs`
 * naming `what`.
 */
export async function waitFor<T>(probe: () => T | Promise<T>, what = 'condition', timeoutMs = 10_000, everyMs = 10): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    }
    await sleep(everyMs);
  }
}

/** Resolves after `ms` real milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Lets pending promise callbacks and immediates run (one turn of the event loop). */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

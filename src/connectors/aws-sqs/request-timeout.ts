/**
 * The HTTP request timeout of the SQS client, derived from the long poll. Kept apart from
 * `sdk-sqs-api.ts` so the source can use it without loading the SDK (the SDK loads on first use).
 */

/** HTTP request timeout: the long poll plus a margin for a slow answer. */
export function requestTimeoutMs(waitTimeSeconds: number): number {
  return (waitTimeSeconds + 10) * 1000;
}

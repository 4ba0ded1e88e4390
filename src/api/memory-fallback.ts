/**
 * Reads that can be answered from memory while the store is unavailable: the store is asked
 * first; when it fails with STORE_UNAVAILABLE the in-memory answer is given instead, and the
 * response carries `x-cloudbridge-source: memory` (docs/api.md).
 */
import type { FastifyReply } from 'fastify';
import { CloudbridgeError } from '../core/errors.ts';

export const SOURCE_HEADER = 'x-cloudbridge-source';

/** `fromMemory` returns undefined when memory cannot answer (then the store's error stands). */
export async function storeOrMemory<T>(reply: FastifyReply, fromStore: () => Promise<T>, fromMemory: () => T | undefined): Promise<T> {
  try {
    return await fromStore();
  } catch (err) {
    if (!(err instanceof CloudbridgeError) || err.code !== 'STORE_UNAVAILABLE') throw err;
    const answer = fromMemory();
    if (answer === undefined) throw err;
    void reply.header(SOURCE_HEADER, 'memory');
    return answer;
  }
}

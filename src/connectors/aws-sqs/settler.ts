/**
 * Settles received messages with SQS: `delete` (DeleteMessageBatch, 10 per call) after their
 * results or dead letters were committed, `release` (ChangeMessageVisibilityBatch to a delay)
 * after a failed delivery, so they come back. A delete that fails is retried a few times while
 * the heartbeat keeps the messages invisible; if it still fails, the messages are redelivered
 * later and recognised as duplicates by their MessageId (nothing is stored twice).
 */
import { sleep, type Clock } from '../../core/clock.ts';
import { toCloudbridgeError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { InFlightReceipts, Receipt } from './receipt-table.ts';
import type { BatchResult, SqsApi } from './sqs-api.ts';

const DELETE_RETRY_DELAYS_MS = [200, 1000, 3000, 10_000];
const GONE_CODES = new Set(['ReceiptHandleIsInvalid', 'MessageNotInflight', 'AWS.SimpleQueueService.MessageNotInflight']);

export interface SettlerOptions {
  api: () => SqsApi;
  queueUrl: string;
  receipts: InFlightReceipts;
  clock: Clock;
  log: Logger;
  /** Aborts retry waits when the connector stops for good. */
  signal: AbortSignal;
}

export interface SettleCounters {
  deleted: number;
  deleteFailures: number;
  released: number;
}

function chunks<T>(items: T[], size = 10): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export class Settler {
  readonly counters: SettleCounters = { deleted: 0, deleteFailures: 0, released: 0 };
  private readonly opts: SettlerOptions;

  constructor(opts: SettlerOptions) {
    this.opts = opts;
  }

  /** Deletes committed messages; never throws. */
  async delete(receipts: Receipt[]): Promise<void> {
    await Promise.all(chunks(receipts).map((chunk) => this.deleteChunk(chunk)));
  }

  /** Makes messages visible again after `delaySeconds`; never throws. */
  async release(receipts: Receipt[], delaySeconds: number): Promise<void> {
    for (const l of receipts) l.releasing = true;
    await Promise.all(chunks(receipts).map(async (chunk) => {
      try {
        const result = await this.opts.api().changeVisibilityBatch(this.opts.queueUrl,
          chunk.map((l, i) => ({ id: `${i}`, receiptHandle: l.receiptHandle, visibilityTimeoutSeconds: delaySeconds })));
        this.counters.released += chunk.length - result.failed.length;
        this.logFailures(result, chunk, 'release');
      } catch (err) {
        this.opts.log.warn({ err: toCloudbridgeError(err).message, messages: chunk.length }, 'could not make messages visible again; they come back when their visibility timeout ends');
      } finally {
        this.opts.receipts.remove(chunk);
      }
    }));
  }

  private async deleteChunk(chunk: Receipt[]): Promise<void> {
    let pending = chunk.filter((l) => !l.lost);
    for (let attempt = 0; pending.length > 0; attempt++) {
      let retry: Receipt[] = [];
      try {
        const result = await this.opts.api().deleteBatch(this.opts.queueUrl, pending.map((l, i) => ({ id: `${i}`, receiptHandle: l.receiptHandle })));
        const failed = new Map(result.failed.map((f) => [f.id, f]));
        pending.forEach((l, i) => {
          const f = failed.get(`${i}`);
          if (!f) this.counters.deleted++;
          else if (!GONE_CODES.has(f.code) && f.senderFault === false) retry.push(l);
        });
        this.logFailures(result, pending, 'delete');
      } catch (err) {
        retry = pending;
        this.opts.log.warn({ err: toCloudbridgeError(err).message, messages: pending.length, attempt }, 'DeleteMessageBatch failed');
      }
      const delayMs = DELETE_RETRY_DELAYS_MS[attempt];
      if (retry.length === 0 || delayMs === undefined || this.opts.signal.aborted) {
        if (retry.length > 0) {
          this.counters.deleteFailures += retry.length;
          this.opts.log.warn({ messages: retry.length }, 'committed messages could not be deleted; SQS will redeliver them and they will be counted as duplicates');
        }
        break;
      }
      try {
        await sleep(delayMs, this.opts.signal, this.opts.clock);
      } catch {
        this.counters.deleteFailures += retry.length;
        break;
      }
      pending = retry.filter((l) => !l.lost);
    }
    this.opts.receipts.remove(chunk);
  }

  private logFailures(result: BatchResult, chunk: Receipt[], what: 'delete' | 'release'): void {
    for (const f of result.failed) {
      const receipt = chunk[Number(f.id)];
      if (GONE_CODES.has(f.code)) {
        this.opts.log.debug({ messageId: receipt?.messageId, code: f.code }, `${what}: the receipt is no longer valid (the message was received again)`);
      } else {
        this.opts.log.warn({ messageId: receipt?.messageId, code: f.code, err: f.message }, `${what} failed for a message`);
      }
    }
  }
}

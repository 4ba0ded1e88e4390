/**
 * The queue's attributes as status shows them: FIFO, default visibility timeout, redrive policy
 * (dead-letter queue and maxReceiveCount) and the backlog SQS reports, refreshed periodically so
 * a stalled consumer can be told from an empty queue.
 */
import type { Clock, TimerHandle } from '../../core/clock.ts';
import { toCloudbridgeError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { SqsApi } from './sqs-api.ts';

export interface RedrivePolicy {
  maxReceiveCount: number;
  deadLetterTargetArn: string;
}

export interface QueueBacklog {
  /** ApproximateNumberOfMessages: visible, waiting to be received. */
  visible: number;
  /** ApproximateNumberOfMessagesNotVisible: received by any consumer, not yet deleted. */
  inFlight: number;
  delayed: number;
  at: number;
}

export function parseRedrivePolicy(text: string | undefined): RedrivePolicy | null {
  if (!text) return null;
  try {
    const p = JSON.parse(text) as { maxReceiveCount?: unknown; deadLetterTargetArn?: unknown };
    const max = Number(p.maxReceiveCount);
    if (!Number.isFinite(max) || typeof p.deadLetterTargetArn !== 'string') return null;
    return { maxReceiveCount: max, deadLetterTargetArn: p.deadLetterTargetArn };
  } catch {
    return null;
  }
}

function count(v: string | undefined): number {
  const n = Number(v);
  return Number.isFinite(n) ? n : 0;
}

export interface QueueInfoOptions {
  api: () => SqsApi;
  queueUrl: string;
  clock: Clock;
  log: Logger;
  refreshMs: number;
}

export class QueueInfo {
  fifo = false;
  visibilityTimeoutSeconds: number | undefined;
  redrivePolicy: RedrivePolicy | null = null;
  backlog: QueueBacklog | null = null;
  private readonly opts: QueueInfoOptions;
  private timer: TimerHandle | null = null;
  private refreshing = false;

  constructor(opts: QueueInfoOptions) {
    this.opts = opts;
  }

  /** GetQueueAttributes; throws the SDK error. */
  async load(signal?: AbortSignal): Promise<void> {
    const a = await this.opts.api().getQueueAttributes(this.opts.queueUrl, signal);
    this.apply(a);
  }

  apply(a: Record<string, string>): void {
    this.fifo = a.FifoQueue === 'true';
    const vt = Number(a.VisibilityTimeout);
    this.visibilityTimeoutSeconds = Number.isInteger(vt) && vt > 0 ? vt : undefined;
    this.redrivePolicy = parseRedrivePolicy(a.RedrivePolicy);
    this.backlog = {
      visible: count(a.ApproximateNumberOfMessages),
      inFlight: count(a.ApproximateNumberOfMessagesNotVisible),
      delayed: count(a.ApproximateNumberOfMessagesDelayed),
      at: this.opts.clock.now(),
    };
  }

  startRefreshing(): void {
    this.refreshing = true;
    this.timer = this.opts.clock.setTimeout(() => {
      this.timer = null;
      this.load(AbortSignal.timeout(15_000))
        .catch((err: unknown) => this.opts.log.debug({ err: toCloudbridgeError(err).message }, 'could not refresh the queue attributes'))
        .finally(() => { if (this.timer === null && this.refreshing) this.startRefreshing(); });
    }, this.opts.refreshMs);
    this.timer.unref?.();
  }

  stopRefreshing(): void {
    this.refreshing = false;
    if (this.timer) this.opts.clock.clearTimeout(this.timer);
    this.timer = null;
  }
}

/** Fakes for unit tests: a manual clock and a scriptable in-memory SqsApi. */
import type { Clock, TimerHandle } from '../../../src/core/clock.ts';
import type { BatchResult, SendRequest, SqsApi, SqsReceivedMessage, ReceiveRequest } from '../../../src/connectors/aws-sqs/sqs-api.ts';

interface Timer { at: number; fn: () => void; id: number }

/** Time moves only with `advance(ms)`, which runs due timers in order. */
export class ManualClock implements Clock {
  private nowMs: number;
  private timers: Timer[] = [];
  private seq = 0;

  constructor(start = 1_000_000) {
    this.nowMs = start;
  }

  now(): number {
    return this.nowMs;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = { at: this.nowMs + ms, fn, id: ++this.seq };
    this.timers.push(timer);
    return timer as unknown as TimerHandle;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t !== (handle as unknown as Timer));
  }

  async advance(ms: number): Promise<void> {
    const end = this.nowMs + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.nowMs = Math.max(this.nowMs, due.at);
      due.fn();
      await new Promise((r) => setImmediate(r));
    }
    this.nowMs = end;
    await new Promise((r) => setImmediate(r));
  }
}

export interface VisibilityCall {
  at: number;
  entries: Array<{ receiptHandle: string; visibilityTimeoutSeconds: number }>;
}

/** An in-memory SqsApi recording calls; `receive` is scriptable. */
export class FakeSqsApi implements SqsApi {
  readonly visibilityCalls: VisibilityCall[] = [];
  readonly deleted: string[] = [];
  readonly sent: SendRequest[] = [];
  destroyed = false;
  receives = 0;
  attributes: Record<string, string> = { VisibilityTimeout: '30' };
  /** Entries (by receipt handle) that changeVisibilityBatch reports as failed with this code. */
  failVisibility = new Map<string, string>();
  onReceive: (req: ReceiveRequest, signal: AbortSignal) => Promise<SqsReceivedMessage[]> = (_req, signal) => idle(signal, 50);
  private readonly clock: Clock | undefined;

  constructor(clock?: Clock) {
    this.clock = clock;
  }

  receive(req: ReceiveRequest, signal: AbortSignal): Promise<SqsReceivedMessage[]> {
    this.receives++;
    return this.onReceive(req, signal);
  }

  async deleteBatch(_queueUrl: string, entries: Array<{ id: string; receiptHandle: string }>): Promise<BatchResult> {
    this.deleted.push(...entries.map((e) => e.receiptHandle));
    return { failed: [] };
  }

  async changeVisibilityBatch(_queueUrl: string, entries: Array<{ id: string; receiptHandle: string; visibilityTimeoutSeconds: number }>): Promise<BatchResult> {
    this.visibilityCalls.push({ at: this.clock?.now() ?? Date.now(), entries: entries.map((e) => ({ receiptHandle: e.receiptHandle, visibilityTimeoutSeconds: e.visibilityTimeoutSeconds })) });
    return {
      failed: entries.filter((e) => this.failVisibility.has(e.receiptHandle))
        .map((e) => ({ id: e.id, code: this.failVisibility.get(e.receiptHandle) ?? '', message: 'fake', senderFault: true })),
    };
  }

  async getQueueAttributes(): Promise<Record<string, string>> {
    return { ...this.attributes };
  }

  async send(req: SendRequest): Promise<{ messageId: string }> {
    this.sent.push(req);
    return { messageId: `sent-${this.sent.length}` };
  }

  async describeCredentials(): Promise<string> {
    return 'access key id AKIAFAKE000000000001 (from accessKeyId)';
  }

  destroy(): void {
    this.destroyed = true;
  }
}

/** An empty long poll of `ms` real milliseconds that ends early when aborted. */
export function idle(signal: AbortSignal, ms: number): Promise<SqsReceivedMessage[]> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(() => resolve([]), ms);
    signal.addEventListener('abort', () => { clearTimeout(t); reject(signal.reason); }, { once: true });
  });
}

export function fakeMessage(n: number, attributes: Record<string, string> = {}): SqsReceivedMessage {
  return { messageId: `msg-${n}`, receiptHandle: `rh-${n}`, body: `body-${n}`, attributes: { ApproximateReceiveCount: '1', ...attributes }, messageAttributes: {} };
}

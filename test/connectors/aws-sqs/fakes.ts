/** Fakes for unit tests: a scriptable in-memory SqsApi (the manual clock is test/support/manual-clock.ts). */
import type { Clock } from '../../../src/core/clock.ts';
import type { BatchResult, SendRequest, SqsApi, SqsReceivedMessage, ReceiveRequest } from '../../../src/connectors/aws-sqs/sqs-api.ts';

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

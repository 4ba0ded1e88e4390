/**
 * A partitioned stream in memory and a small connector reading it the way a partitioned source
 * should (the shape a Kinesis or Event Hubs source takes): one reader per partition, positions
 * tracked in a Checkpointer, one checkpointed delivery per record, a rewind after a rejection.
 * It exists to run the connector contract's partitioned case (and to show that the case catches
 * a source that checkpoints past a rejection: `ignoreRejections`).
 */
import { sleep } from '../../src/core/clock.ts';
import { Checkpointer } from '../../src/core/checkpointer.ts';
import type { CheckResult, Connector, ConnectorContext } from '../../src/core/connector.ts';
import { retryAfterMs } from '../../src/core/errors.ts';
import type { UplinkMessage } from '../../src/core/model.ts';
import { Semaphore } from '../../src/core/semaphore.ts';
import { SourceLifecycle } from '../../src/core/source-lifecycle.ts';
import type { TestConnectorContext } from '../support/connector-context.ts';
import type { CheckpointHarness, ConnectorHarness, ContractSource } from './harness.ts';

const LEASE = { owner: 'memory-test', token: 1 };

export class MemoryStream {
  readonly partitions = new Map<string, string[]>([['p0', []]]);

  append(partition: string, payloads: string[]): void {
    const records = this.partitions.get(partition) ?? [];
    records.push(...payloads);
    this.partitions.set(partition, records);
  }
}

export interface MemoryStreamOptions {
  /** The committed position of a partition (null: read from its start). */
  committed(partition: string): string | null;
  /** A broken source: goes on reading after a rejection instead of rewinding. */
  ignoreRejections?: boolean;
}

function toMessage(partition: string, position: number, payload: string): UplinkMessage {
  return { payload: Buffer.from(payload), metadata: { partition, position: String(position) }, sourceKey: `${partition}/${position}`, receivedAt: Date.now(), dedupe: 'none' };
}

export class MemoryStreamSource implements Connector {
  private readonly stream: MemoryStream;
  private readonly ctx: ConnectorContext;
  private readonly opts: MemoryStreamOptions;
  private readonly life: SourceLifecycle;
  private readonly inFlight = new Semaphore(4);
  private readonly readers = new Set<Promise<void>>();
  private readonly checkpointers: Checkpointer[] = [];

  constructor(stream: MemoryStream, ctx: ConnectorContext, opts: MemoryStreamOptions) {
    this.stream = stream;
    this.ctx = ctx;
    this.opts = opts;
    this.life = new SourceLifecycle({
      name: 'the memory stream source',
      ctx,
      steps: {
        open: async () => {
          for (const partition of this.stream.partitions.keys()) this.readers.add(this.read(partition));
        },
        halt: () => undefined,
        drained: () => Promise.all([this.inFlight.idle(), ...this.readers]),
        close: async () => undefined,
      },
    });
  }

  start(): Promise<void> {
    return this.life.start();
  }

  stop(opts: { drainMs?: number } = {}): Promise<void> {
    return this.life.stop(opts.drainMs);
  }

  status(): Record<string, unknown> {
    return { partitions: this.checkpointers.map((c) => ({ partition: c.partition, committed: c.committed, pending: c.pending })) };
  }

  private async read(partition: string): Promise<void> {
    const checkpointer = new Checkpointer(partition, this.opts.committed(partition));
    this.checkpointers.push(checkpointer);
    const stop = this.life.stopSignal;
    let next = checkpointer.committed === null ? 0 : Number(checkpointer.committed) + 1;
    let pauseMs = 0;
    while (!stop.aborted) {
      let payload: string | undefined;
      try {
        if (checkpointer.rejected && !this.opts.ignoreRejections) {
          await checkpointer.idle();
          const { from, after } = checkpointer.rewind();
          next = from !== null ? Number(from) : after === null ? 0 : Number(after) + 1;
          await sleep(pauseMs, stop);
          continue;
        }
        payload = this.stream.partitions.get(partition)?.[next];
        if (payload === undefined) {
          await sleep(20, stop);
          continue;
        }
        await this.inFlight.acquire(1, stop);
      } catch {
        return;
      }
      const position = String(next);
      const handle = this.opts.ignoreRejections ? null : checkpointer.track(position);
      if (!handle && !this.opts.ignoreRejections) {
        this.inFlight.release();
        continue;
      }
      next++;
      this.ctx.deliver([toMessage(partition, Number(position), payload)], this.life.deliverySignal, { checkpoint: { partition, position, lease: LEASE } })
        .then(() => handle?.settle(), (err: unknown) => {
          pauseMs = retryAfterMs(err) ?? 100;
          handle?.reject();
        })
        .finally(() => this.inFlight.release());
    }
  }
}

export const MEMORY_CHECKPOINTS: CheckpointHarness = {
  partitionOf: (m) => m.metadata.partition ?? '',
  positionOf: (m) => m.metadata.position ?? '',
  compare: (a, b) => Number(a) - Number(b),
};

/** The contract harness of the memory stream; `ignoreRejections` makes its source broken. */
export function memoryStreamHarness(opts: { ignoreRejections?: boolean } = {}): ConnectorHarness {
  return {
    type: opts.ignoreRejections ? 'memory-stream (broken)' : 'memory-stream',
    stopAllowanceMs: 500,
    redeliveryTimeoutMs: 3000,
    checkpoints: MEMORY_CHECKPOINTS,
    async startPeer() {
      return {
        async source(): Promise<ContractSource> {
          const stream = new MemoryStream();
          const contexts: TestConnectorContext[] = [];
          const committed = (partition: string): string | null => {
            const positions = contexts.flatMap((c) => c.committedCheckpoints).filter((c) => c.partition === partition).map((c) => Number(c.position));
            return positions.length === 0 ? null : String(Math.max(...positions));
          };
          return {
            secrets: ['memory-stream-secret'],
            create(ctx) {
              contexts.push(ctx);
              return new MemoryStreamSource(stream, ctx, { committed, ...(opts.ignoreRejections ? { ignoreRejections: true } : {}) });
            },
            async testConnection(): Promise<CheckResult> {
              return { ok: true, checks: [{ name: 'stream', ok: true, message: `${stream.partitions.size} partition(s)` }] };
            },
            async publish(payloads) {
              stream.append('p0', payloads);
            },
            async unacknowledged() {
              let left = 0;
              for (const [partition, records] of stream.partitions) {
                const at = committed(partition);
                left += records.length - (at === null ? 0 : Number(at) + 1);
              }
              return left;
            },
            dispose: async () => undefined,
          };
        },
        stop: async () => undefined,
      };
    },
  };
}

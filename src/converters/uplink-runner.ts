/**
 * Runs an uplink converter (JavaScript Decoder or JSONata) over batches in its sandbox and
 * validates each output: exactly one UplinkConversion per input, same order.
 */
import { systemClock, type Clock } from '../core/clock.ts';
import type { CloudbridgeError } from '../core/errors.ts';
import { normalizeUplink } from './normalize-uplink.ts';
import type { ItemResult } from './sandbox/outcome.ts';
import type { HostedSession } from './sandbox/host/hosted-session.ts';
import type { SandboxProgram } from './sandbox/sandbox-types.ts';
import { SandboxRunner } from './sandbox-runner.ts';
import { messageTimestamp } from './types.ts';
import type { ConverterRunnerOptions, UplinkConversion, UplinkConverterRunner, UplinkInput } from './types.ts';

export class SandboxUplinkRunner extends SandboxRunner implements UplinkConverterRunner {
  readonly #maxFutureTsMs: number | undefined;
  readonly #clock: Clock;

  constructor(session: HostedSession, program: SandboxProgram, memoryMb: number, opts: Pick<ConverterRunnerOptions, 'maxFutureTsMs' | 'clock'> = {}) {
    super(session, program, memoryMb);
    this.#maxFutureTsMs = opts.maxFutureTsMs;
    this.#clock = opts.clock ?? systemClock;
  }

  /** The script's outputs (or errors), before validation. */
  async run(inputs: UplinkInput[]): Promise<ItemResult[]> {
    const raw = await this.session.batch(inputs.map((i) => i.payload), inputs.map((i) => i.metadata));
    return raw.map((r) => this.decode(r, 'uplink'));
  }

  async convert(inputs: UplinkInput[]): Promise<UplinkConversion[]> {
    if (inputs.length === 0) return [];
    const results = await this.run(inputs);
    const now = this.#clock.now();
    const opts = this.#maxFutureTsMs === undefined ? { now } : { now, maxFutureTsMs: this.#maxFutureTsMs };
    return results.map((r, i) => {
      if (!r.ok) return { ok: false, stage: 'convert', error: r.error };
      const input = inputs[i];
      try {
        return { ok: true, records: normalizeUplink(r.value, input ? messageTimestamp(input) : now, opts), raw: r.value };
      } catch (err) {
        return { ok: false, stage: 'validate', error: err as CloudbridgeError, raw: r.value };
      }
    });
  }
}

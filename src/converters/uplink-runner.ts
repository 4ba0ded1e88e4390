/**
 * Runs an uplink converter (JavaScript Decoder or JSONata) over batches in its sandbox and
 * validates each output: exactly one UplinkConversion per input, same order.
 */
import type { CloudbridgeError } from '../core/errors.ts';
import { normalizeUplink } from './normalize-uplink.ts';
import type { ItemResult } from './sandbox/outcome.ts';
import { SandboxRunner } from './sandbox-runner.ts';
import type { UplinkConversion, UplinkConverterRunner, UplinkInput } from './types.ts';

export class SandboxUplinkRunner extends SandboxRunner implements UplinkConverterRunner {
  /** The script's outputs (or errors), before validation. */
  async run(inputs: UplinkInput[]): Promise<ItemResult[]> {
    const raw = await this.session.batch(inputs.map((i) => i.payload), inputs.map((i) => i.metadata));
    return raw.map((r) => this.decode(r, 'uplink'));
  }

  async convert(inputs: UplinkInput[]): Promise<UplinkConversion[]> {
    if (inputs.length === 0) return [];
    const results = await this.run(inputs);
    return results.map((r, i) => {
      if (!r.ok) return { ok: false, stage: 'convert', error: r.error };
      try {
        return { ok: true, records: normalizeUplink(r.value, inputs[i]?.receivedAt ?? Date.now()), raw: r.value };
      } catch (err) {
        return { ok: false, stage: 'validate', error: err as CloudbridgeError, raw: r.value };
      }
    });
  }
}

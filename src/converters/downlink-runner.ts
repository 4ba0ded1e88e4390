/**
 * Runs a downlink Encoder in its sandbox, one request per call, and validates its output.
 */
import { normalizeDownlink } from './normalize-downlink.ts';
import type { ItemResult } from './sandbox/outcome.ts';
import { SandboxRunner } from './sandbox-runner.ts';
import type { DownlinkConversion, DownlinkConverterRunner, DownlinkInput } from './types.ts';

export class SandboxDownlinkRunner extends SandboxRunner implements DownlinkConverterRunner {
  /** The script's output (or error), before validation. */
  async run(input: DownlinkInput): Promise<ItemResult> {
    const args = JSON.stringify({
      msg: input.msg === undefined ? {} : input.msg,
      metadata: input.metadata,
      msgType: input.msgType,
      integrationMetadata: input.integrationMetadata,
    });
    return this.decode(await this.session.one(args), 'downlink');
  }

  async encode(input: DownlinkInput): Promise<DownlinkConversion> {
    const r = await this.run(input);
    if (!r.ok) throw r.error;
    return { encoded: normalizeDownlink(r.value), raw: r.value };
  }
}

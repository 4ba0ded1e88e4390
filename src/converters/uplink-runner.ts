/**
 * Runs an uplink converter (JavaScript Decoder or JSONata) over batches in its sandbox and
 * validates each output: exactly one UplinkConversion per input, same order.
 */
import type { CloudbridgeError } from '../core/errors.ts';
import { normalizeUplink } from './normalize-uplink.ts';
import { decodeOutcome } from './sandbox/outcome.ts';
import type { ItemResult } from './sandbox/outcome.ts';
import type { SandboxSession } from './sandbox/sandbox-session.ts';
import type { SandboxProgram } from './sandbox/sandbox-types.ts';
import type { SandboxKind, UplinkConversion, UplinkConverterRunner, UplinkInput } from './types.ts';

export class SandboxUplinkRunner implements UplinkConverterRunner {
  private readonly session: SandboxSession;
  private readonly headerColumns: number;
  private readonly memoryMb: number;

  constructor(session: SandboxSession, program: SandboxProgram, memoryMb: number) {
    this.session = session;
    this.headerColumns = program.headerColumns;
    this.memoryMb = memoryMb;
  }

  get sandbox(): SandboxKind {
    return this.session.kind;
  }

  /** The script's outputs (or errors), before validation. */
  async run(inputs: UplinkInput[]): Promise<ItemResult[]> {
    const raw = await this.session.batch(inputs.map((i) => i.payload), inputs.map((i) => i.metadata));
    return raw.map((r) => decodeOutcome(r, { headerColumns: this.headerColumns, role: 'uplink', memoryMb: this.memoryMb }));
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

  /** Console lines the script wrote during the last call. */
  logs(): Promise<string[]> {
    return this.session.logs();
  }

  dispose(): void {
    this.session.dispose();
  }
}

/**
 * Runs a downlink Encoder in its sandbox, one request per call, and validates its output.
 */
import { normalizeDownlink } from './normalize-downlink.ts';
import { decodeOutcome } from './sandbox/outcome.ts';
import type { ItemResult } from './sandbox/outcome.ts';
import type { SandboxSession } from './sandbox/sandbox-session.ts';
import type { SandboxProgram } from './sandbox/sandbox-types.ts';
import type { DownlinkConversion, DownlinkConverterRunner, DownlinkInput, SandboxKind } from './types.ts';

export class SandboxDownlinkRunner implements DownlinkConverterRunner {
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

  /** The script's output (or error), before validation. */
  async run(input: DownlinkInput): Promise<ItemResult> {
    const args = JSON.stringify({
      msg: input.msg === undefined ? {} : input.msg,
      metadata: input.metadata,
      msgType: input.msgType,
      integrationMetadata: input.integrationMetadata,
    });
    return decodeOutcome(await this.session.one(args), { headerColumns: this.headerColumns, role: 'downlink', memoryMb: this.memoryMb });
  }

  async encode(input: DownlinkInput): Promise<DownlinkConversion> {
    const r = await this.run(input);
    if (!r.ok) throw r.error;
    return { encoded: normalizeDownlink(r.value), raw: r.value };
  }

  logs(): Promise<string[]> {
    return this.session.logs();
  }

  dispose(): void {
    this.session.dispose();
  }
}

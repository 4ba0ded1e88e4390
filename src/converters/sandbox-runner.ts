/** What the uplink and downlink runners share: a compiled sandbox session and how to read its results. */
import { decodeOutcome } from './sandbox/outcome.ts';
import type { ItemResult } from './sandbox/outcome.ts';
import type { HostedSession, RawOutcome } from './sandbox/host/hosted-session.ts';
import type { SandboxProgram } from './sandbox/sandbox-types.ts';
import type { SandboxKind } from './types.ts';

export abstract class SandboxRunner {
  protected readonly session: HostedSession;
  private readonly headerColumns: number;
  private readonly memoryMb: number;

  constructor(session: HostedSession, program: SandboxProgram, memoryMb: number) {
    this.session = session;
    this.headerColumns = program.headerColumns;
    this.memoryMb = memoryMb;
  }

  get sandbox(): SandboxKind {
    return this.session.kind;
  }

  /** Console lines the script wrote during the last call. */
  logs(): Promise<string[]> {
    return this.session.logs();
  }

  dispose(): void {
    this.session.dispose();
  }

  protected decode(raw: RawOutcome, role: 'uplink' | 'downlink'): ItemResult {
    return decodeOutcome(raw, { headerColumns: this.headerColumns, role, memoryMb: this.memoryMb });
  }
}

/**
 * The seam between the converter runners and the two sandbox engines (isolated-vm, QuickJS).
 * Both run the same in-sandbox JavaScript (prelude-*.ts); only the transport differs.
 */
import type { ConverterLimits } from '../../core/model.ts';
import type { SandboxKind } from '../types.ts';

export interface SandboxScript {
  code: string;
  filename: string;
}

export interface SandboxProgram {
  /**
   * Run in order when a sandbox is created. The last one holds the user's code and evaluates to
   * the entries object made by `__cb.install(...)`; its errors are the user's (CONVERTER_COMPILE).
   */
  scripts: SandboxScript[];
  /** Characters the wrapper puts before the user's first line (to correct line-1 columns). */
  headerColumns: number;
  /** Whether error locations (`converter.js:line:column`) refer to the user's text (false for JSONata). */
  locations: boolean;
}

/** The user's script broke a sandbox limit; the call did not complete. */
export class SandboxLimitError extends Error {
  readonly limit: 'timeout' | 'memory';

  constructor(limit: 'timeout' | 'memory', message: string) {
    super(message);
    this.name = 'SandboxLimitError';
    this.limit = limit;
  }
}

/**
 * What an engine tells its host about a call in progress, so the host can watch for isolates that
 * do not stop at their limit and for crashes it cannot otherwise attribute.
 */
export interface SandboxHooks {
  /** A call into the sandbox starts; returns a function to call when it ends. */
  callStarted?(timeoutMs: number): () => void;
  /** The engine lost control of this instance; the host process must be replaced. */
  onCatastrophic?(message: string): void;
}

/**
 * One compiled converter inside one sandbox. Calls must not overlap (the session serialises them);
 * they are asynchronous so that a host process serving several converters stays responsive
 * while one of them runs.
 */
export interface SandboxInstance {
  /** False once a limit killed or may have corrupted it; the session then builds a new one. */
  readonly usable: boolean;
  /**
   * Runs the uplink (or JSONata) entry over a batch: one outcome string per message.
   * Rejects with SandboxLimitError when the call hits the time or memory limit.
   */
  batch(payloads: readonly Uint8Array[], metas: readonly Record<string, string>[]): Promise<string[]>;
  /** Runs the downlink entry once; `argsJson` = {msg, metadata, msgType, integrationMetadata}. */
  one(argsJson: string): Promise<string>;
  /** Console lines captured during the last call. */
  logs(): Promise<string[]>;
  dispose(): void;
}

export interface SandboxEngine {
  readonly kind: SandboxKind;
  /** Builds an instance; rejects with CONVERTER_COMPILE when the user's script does not load. */
  create(program: SandboxProgram, limits: ConverterLimits, hooks?: SandboxHooks): Promise<SandboxInstance>;
}

/**
 * The messages between Cloudbridge and its sandbox host processes (IPC with Node's `advanced`
 * serialization, so payload bytes cross as one Uint8Array). Every request carries an id; the host
 * answers each request exactly once, or dies, in which case the parent fails what was pending.
 * `fatal` is the host's last word before it is killed: which instances it blames and why.
 */
import type { ConverterLimits } from '../../../core/model.ts';
import type { WireError } from '../../../core/wire-error.ts';
import type { SandboxKind } from '../../types.ts';
import type { SandboxProgram } from '../sandbox-types.ts';

/** What one message's conversion came to inside the host: the outcome string, or a broken limit. */
export type HostOutcome = string | { limit: 'timeout' | 'memory'; message: string };

export type HostRequest =
  | { t: 'create'; id: number; inst: number; kind: SandboxKind; program: SandboxProgram; limits: ConverterLimits }
  | { t: 'batch'; id: number; inst: number; bytes: Uint8Array; offsets: number[]; metas: Array<Record<string, string>> }
  | { t: 'one'; id: number; inst: number; args: string }
  | { t: 'logs'; id: number; inst: number }
  | { t: 'dispose'; id: number; inst: number }
  | { t: 'ping'; id: number };


export type HostReply =
  /** Sent once, when the process is ready to serve: a death before it is a failure to start. */
  | { t: 'ready' }
  | { t: 'ok'; id: number; outcomes?: HostOutcome[]; outcome?: HostOutcome; logs?: string[] }
  | { t: 'error'; id: number; error: WireError }
  | { t: 'fatal'; reason: FatalReason; blamed: number[]; message: string };

/**
 * Why a host gives up: `oom` (V8 reported an out-of-memory it cannot recover from), `memory` (the
 * process outgrew its memory budget), `stuck` (an isolate did not stop at its time limit),
 * `catastrophic` (isolated-vm lost control of an isolate for another reason).
 */
export type FatalReason = 'oom' | 'memory' | 'stuck' | 'catastrophic';

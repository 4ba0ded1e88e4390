/**
 * Builds converter runners from their config: compiles once in the chosen sandbox (compile errors
 * reject with CONVERTER_COMPILE and line info) and guards uplinks with quarantine.
 */
import { CloudbridgeError } from '../core/errors.ts';
import type { ConverterConfig, ConverterLimits } from '../core/model.ts';
import { SandboxDownlinkRunner } from './downlink-runner.ts';
import { downlinkJavascriptProgram, uplinkJavascriptProgram, uplinkJsonataProgram } from './program.ts';
import { QuarantinedUplinkRunner } from './quarantine.ts';
import { HostedSession } from './sandbox/host/hosted-session.ts';
import { sandboxPool } from './sandbox/host/sandbox-pool.ts';
import type { SandboxProgram } from './sandbox/sandbox-types.ts';
import { sandboxKind, warnIfFallback } from './sandbox/select-engine.ts';
import { CONVERTER_LIMIT_BOUNDS, DEFAULT_CONVERTER_LIMITS, DEFAULT_QUARANTINE } from './types.ts';
import type { ConverterRunnerOptions, UplinkConverterRunner } from './types.ts';
import { SandboxUplinkRunner } from './uplink-runner.ts';

type ScriptSpec = Pick<ConverterConfig, 'type' | 'language' | 'script' | 'limits'>;

/** Fills defaults and checks the bounds; CONFIG_INVALID names the field. */
export function resolveLimits(limits: Partial<ConverterLimits> | undefined): ConverterLimits {
  const out: ConverterLimits = { ...DEFAULT_CONVERTER_LIMITS };
  for (const key of ['timeoutMs', 'memoryMb'] as const) {
    const v = limits?.[key];
    if (v === undefined) continue;
    const { min, max } = CONVERTER_LIMIT_BOUNDS[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw new CloudbridgeError('CONFIG_INVALID', `limits.${key} must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`, { field: `limits.${key}` });
    }
    out[key] = v;
  }
  return out;
}

function checkSpec(spec: ScriptSpec, type: 'uplink' | 'downlink'): void {
  if (spec.type !== type) throw new CloudbridgeError('CONFIG_INVALID', `expected a ${type} converter, got type "${String(spec.type)}"`, { field: 'type' });
  if (typeof spec.script !== 'string') throw new CloudbridgeError('CONFIG_INVALID', 'script must be a string', { field: 'script' });
  if (spec.language !== 'javascript' && spec.language !== 'jsonata') {
    throw new CloudbridgeError('CONFIG_INVALID', `language must be "javascript" or "jsonata", got "${String(spec.language)}"`, { field: 'language' });
  }
  if (type === 'downlink' && spec.language !== 'javascript') {
    throw new CloudbridgeError('CONFIG_INVALID', 'downlink converters are written in JavaScript (JSONata is for uplink only)', { field: 'language' });
  }
}

/** Compiles the program in a sandbox host process (see sandbox/host/). */
function openSession(program: SandboxProgram, limits: ConverterLimits, opts: ConverterRunnerOptions): Promise<HostedSession> {
  warnIfFallback(opts.sandbox, opts.log);
  return HostedSession.open(sandboxPool(), sandboxKind(opts.sandbox), program, limits);
}

/** The uplink runner without quarantine (the test endpoint uses it for its raw output and logs). */
export async function createBareUplinkRunner(spec: ScriptSpec, opts: ConverterRunnerOptions = {}): Promise<SandboxUplinkRunner> {
  checkSpec(spec, 'uplink');
  const limits = resolveLimits(spec.limits);
  const program = spec.language === 'jsonata' ? uplinkJsonataProgram(spec.script) : uplinkJavascriptProgram(spec.script);
  return new SandboxUplinkRunner(await openSession(program, limits, opts), program, limits.memoryMb, opts);
}

/**
 * Compiles an uplink converter. Rejects with CONVERTER_COMPILE (with line/column when known) or
 * CONFIG_INVALID. The runner is quarantined after repeated failures unless
 * `maxConsecutiveFailures` is 0.
 */
export async function createUplinkRunner(cfg: ConverterConfig, opts: ConverterRunnerOptions = {}): Promise<UplinkConverterRunner> {
  const runner = await createBareUplinkRunner(cfg, opts);
  const maxConsecutiveFailures = opts.maxConsecutiveFailures ?? DEFAULT_QUARANTINE.maxConsecutiveFailures;
  if (maxConsecutiveFailures === 0) return runner;
  return new QuarantinedUplinkRunner(runner, {
    converterName: cfg.name,
    maxConsecutiveFailures,
    quarantineMs: opts.quarantineMs,
    clock: opts.clock,
    log: opts.log,
  });
}

/** Compiles a downlink converter (JavaScript Encoder). */
export async function createDownlinkRunner(cfg: ScriptSpec, opts: ConverterRunnerOptions = {}): Promise<SandboxDownlinkRunner> {
  checkSpec(cfg, 'downlink');
  const limits = resolveLimits(cfg.limits);
  const program = downlinkJavascriptProgram(cfg.script);
  return new SandboxDownlinkRunner(await openSession(program, limits, opts), program, limits.memoryMb);
}

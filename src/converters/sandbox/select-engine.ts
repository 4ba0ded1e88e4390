/**
 * Chooses the sandbox: `CLOUDBRIDGE_SANDBOX=quickjs|isolated-vm` (or an explicit option) wins;
 * otherwise isolated-vm when its native module loads, else the QuickJS fallback.
 */
import { createRequire } from 'node:module';
import type IsolatedVM from 'isolated-vm';
import { CloudbridgeError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { SandboxKind } from '../types.ts';
import type { SandboxEngine } from './sandbox-types.ts';

type IvmLoad = { ok: true; ivm: typeof IsolatedVM } | { ok: false; error: string };

let ivmLoad: IvmLoad | undefined;

function loadIsolatedVm(): IvmLoad {
  if (!ivmLoad) {
    try {
      ivmLoad = { ok: true, ivm: createRequire(import.meta.url)('isolated-vm') as typeof IsolatedVM };
    } catch (err) {
      ivmLoad = { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
  }
  return ivmLoad;
}

function requested(preferred?: SandboxKind): SandboxKind | undefined {
  if (preferred) return preferred;
  const env = process.env.CLOUDBRIDGE_SANDBOX?.trim();
  if (!env) return undefined;
  if (env === 'quickjs' || env === 'isolated-vm') return env;
  throw new CloudbridgeError('CONFIG_INVALID', `CLOUDBRIDGE_SANDBOX must be "isolated-vm" or "quickjs", not "${env}"`, { field: 'CLOUDBRIDGE_SANDBOX' });
}

/** The sandbox converters will run in (given the optional preference). */
export function sandboxKind(preferred?: SandboxKind): SandboxKind {
  if (requested(preferred) === 'quickjs') return 'quickjs';
  return loadIsolatedVm().ok ? 'isolated-vm' : 'quickjs';
}

/** Why isolated-vm is not used, or null when it is available. */
export function isolatedVmUnavailableReason(): string | null {
  const load = loadIsolatedVm();
  return load.ok ? null : load.error;
}

let warned = false;

/** Logs once that converters run in the QuickJS fallback because isolated-vm cannot load. */
export function warnIfFallback(preferred?: SandboxKind, log?: Logger): void {
  const load = loadIsolatedVm();
  if (!load.ok && requested(preferred) !== 'quickjs' && !warned) {
    warned = true;
    log?.warn({ err: load.error }, 'isolated-vm cannot load; converters run in the QuickJS fallback (slower)');
  }
}

/** The engine for `kind` (in a sandbox host process; see host/host-server.ts). */
export async function loadEngine(kind: SandboxKind): Promise<SandboxEngine> {
  const load = loadIsolatedVm();
  if (kind === 'isolated-vm') {
    if (!load.ok) throw new CloudbridgeError('INTERNAL', `isolated-vm cannot load in the sandbox process: ${load.error}`);
    const { isolatedVmEngine } = await import('./isolated-vm-engine.ts');
    return isolatedVmEngine(load.ivm);
  }
  const { quickjsWorkerEngine } = await import('./quickjs-worker-engine.ts');
  return quickjsWorkerEngine;
}

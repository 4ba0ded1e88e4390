/**
 * A worker thread holding one QuickJS converter instance (quickjs-engine.ts). QuickJS calls are
 * synchronous; in a worker they leave the sandbox host's main thread free to serve other
 * converters and to run its watchdogs. Messages: `create` once, then `batch` / `one` / `logs`,
 * each answered with `ok`, `limit` (a SandboxLimitError) or `error` (a CloudbridgeError).
 */
import { parentPort } from 'node:worker_threads';
import { isCloudbridgeError } from '../../core/errors.ts';
import type { ConverterLimits } from '../../core/model.ts';
import { quickjsEngine } from './quickjs-engine.ts';
import { SandboxLimitError } from './sandbox-types.ts';
import type { SandboxInstance, SandboxProgram } from './sandbox-types.ts';

export type QuickjsWorkerRequest =
  | { t: 'create'; program: SandboxProgram; limits: ConverterLimits }
  | { t: 'batch'; payloads: Uint8Array[]; metas: Array<Record<string, string>> }
  | { t: 'one'; args: string }
  | { t: 'logs' };

export type QuickjsWorkerReply =
  | { t: 'ok'; value: unknown; usable: boolean }
  | { t: 'limit'; limit: 'timeout' | 'memory'; message: string; usable: boolean }
  | { t: 'error'; code: string; message: string; details: Record<string, unknown>; usable: boolean };

let instance: SandboxInstance | null = null;

async function serve(req: QuickjsWorkerRequest): Promise<unknown> {
  if (req.t === 'create') {
    instance = await quickjsEngine.create(req.program, req.limits);
    return null;
  }
  if (!instance) throw new Error('no QuickJS instance in this worker');
  if (req.t === 'batch') return instance.batch(req.payloads, req.metas);
  if (req.t === 'one') return instance.one(req.args);
  return instance.logs();
}

parentPort?.on('message', (req: QuickjsWorkerRequest) => {
  serve(req).then(
    (value) => parentPort?.postMessage({ t: 'ok', value, usable: instance?.usable ?? false } satisfies QuickjsWorkerReply),
    (err: unknown) => {
      const usable = instance?.usable ?? false;
      if (err instanceof SandboxLimitError) {
        parentPort?.postMessage({ t: 'limit', limit: err.limit, message: err.message, usable } satisfies QuickjsWorkerReply);
      } else if (isCloudbridgeError(err)) {
        parentPort?.postMessage({ t: 'error', code: err.code, message: err.message, details: { ...err.details }, usable } satisfies QuickjsWorkerReply);
      } else {
        parentPort?.postMessage({ t: 'error', code: 'INTERNAL', message: `QuickJS worker: ${err instanceof Error ? err.message : String(err)}`, details: {}, usable } satisfies QuickjsWorkerReply);
      }
    },
  );
});

/** Runs the real `cloudbridge` binary (bin/cloudbridge.js) with this Node, without blocking the event loop. */
import { execFile } from 'node:child_process';

export const BIN = new URL('../../bin/cloudbridge.js', import.meta.url).pathname;

export interface CliResult { code: number; stdout: string; stderr: string }

export interface CliOptions { cwd?: string; env?: NodeJS.ProcessEnv }

export function cli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: opts.cwd, env: opts.env ?? process.env, timeout: 120_000, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

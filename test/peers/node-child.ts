/**
 * An emulator peer (kinesalite, fauxqs) in a child Node.js process: `script` starts its server on
 * a free loopback port and prints `<TAG>=<port>`; this waits for that line (20 s at most), kills
 * every such child with SIGKILL when the test process exits, and stops one with SIGTERM (SIGKILL
 * after 3 s).
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface NodeChildPeer {
  child: ChildProcess;
  port: number;
  /** SIGTERM, SIGKILL 3 s later if still running; resolves once it exited. */
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();
let exitHook = false;

function installExitHook(): void {
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => {
    for (const c of children) {
      try { c.kill('SIGKILL'); } catch { /* gone */ }
    }
  });
}

/** Runs `node <args>` (`args` ends with the script) and waits for `<tag>=<port>` on its stdout. */
export async function startNodeChild(name: string, tag: string, args: string[], opts: { cwd?: string } = {}): Promise<NodeChildPeer> {
  installExitHook();
  const child = spawn(process.execPath, args, { ...(opts.cwd ? { cwd: opts.cwd } : {}), stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let output = '';
  const announced = new RegExp(`${tag}=(\\d+)`);
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${output}`)), 20_000);
    child.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
      const m = announced.exec(output);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.stderr?.on('data', (d: Buffer) => { output += d.toString(); });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}:\n${output}`));
    });
  });
  return {
    child,
    port,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); }, 3000).unref();
    }),
  };
}

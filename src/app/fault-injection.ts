/**
 * Fault injection for crash tests, off unless CLOUDBRIDGE_FAULT is set:
 * `crash-after-commit:N` kills the process (SIGKILL) right after the N-th committed batch and
 * before any delivery resolves, i.e. data committed, nothing acknowledged to the source: the
 * worst moment for a crash, which the dedupe keys must absorb.
 */
import type { CommitPort } from '../core/ports.ts';

export function withFaults(commit: CommitPort, env: NodeJS.ProcessEnv): CommitPort {
  const spec = env.CLOUDBRIDGE_FAULT;
  const m = spec ? /^crash-after-commit:(\d+)$/.exec(spec) : null;
  if (!m) return commit;
  const after = Number(m[1]);
  let commits = 0;
  return async (c) => {
    const result = await commit(c);
    if (++commits >= after) process.kill(process.pid, 'SIGKILL');
    return result;
  };
}

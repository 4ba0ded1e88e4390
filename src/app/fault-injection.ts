/**
 * Fault injection for crash tests, off unless CLOUDBRIDGE_FAULT is set:
 * - `crash-after-commit:N` kills the process (SIGKILL) right after the N-th committed batch and
 *   before any delivery resolves, i.e. data committed, nothing acknowledged to the source: the
 *   worst moment for a crash, which the dedupe keys must absorb.
 * - `stop-before-commit:N` freezes the process (SIGSTOP) right before the N-th batch is committed,
 *   its data converted and its checkpoints ready: the worst moment to freeze for a partitioned
 *   source. Whoever sends SIGCONT lets the commit go on, with the lease tokens it had (fencing).
 */
import type { CommitPort } from '../core/ports.ts';

export function withFaults(commit: CommitPort, env: NodeJS.ProcessEnv): CommitPort {
  const m = env.CLOUDBRIDGE_FAULT ? /^(crash-after-commit|stop-before-commit):(\d+)$/.exec(env.CLOUDBRIDGE_FAULT) : null;
  if (!m) return commit;
  const at = Number(m[2]);
  let commits = 0;
  if (m[1] === 'stop-before-commit') {
    return async (c) => {
      if (++commits === at) process.kill(process.pid, 'SIGSTOP');
      return commit(c);
    };
  }
  return async (c) => {
    const result = await commit(c);
    if (++commits >= at) process.kill(process.pid, 'SIGKILL');
    return result;
  };
}

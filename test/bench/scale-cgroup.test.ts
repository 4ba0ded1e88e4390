/**
 * The scale-out bench's CPU groups (bench/scale-cgroup.ts) on this machine's cgroups: a process
 * moved into a group right after its spawn takes the children it spawns later along, the group
 * has the quota asked for and counts their CPU, and it is removed once they ended. Skipped where no
 * quota can be set (not root, no cpu controller), with the reason.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCpuGroup, detectCpuQuotas, removeStaleCpuGroups } from '../../bench/scale-cgroup.ts';
import { cgroupsOf, descendants } from '../../bench/scale-proc.ts';
import { waitFor } from '../support/wait.ts';

const quotas = detectCpuQuotas();
const skip = quotas.kind === null ? `no CPU quota possible here: ${quotas.reason}` : false;

/** Node that spawns a busy child on a line on stdin (after it was moved) and prints READY first. */
const PARENT = `
const { spawn } = require('node:child_process');
process.stdin.once('data', () => {
  const child = spawn(process.execPath, ['-e', 'const end = Date.now() + 300; while (Date.now() < end); setInterval(() => {}, 1000);'], { stdio: 'ignore' });
  console.log('CHILD ' + child.pid);
});
console.log('READY');
`;

describe('bench CPU groups', { skip }, () => {
  const procs: ChildProcess[] = [];
  after(() => { for (const p of procs) p.kill('SIGKILL'); });

  it('holds a process and the children it spawns after the move, with the quota asked for, and is removed once they ended', async () => {
    const group = createCpuGroup(quotas, 'test-inherit', 0.5);
    const parent = spawn(process.execPath, ['-e', PARENT], { stdio: ['pipe', 'pipe', 'inherit'] });
    procs.push(parent);
    group.add(parent.pid as number);
    let out = '';
    parent.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
    await waitFor(() => out.includes('READY'), 'the parent ready', 30_000);
    parent.stdin?.write('go\n');
    const childPid = Number((await waitFor(() => /CHILD (\d+)/.exec(out), 'the child spawned', 30_000))[1]);

    assert.deepEqual(descendants(parent.pid as number), [childPid]);
    for (const pid of [parent.pid as number, childPid]) {
      assert.ok(cgroupsOf(pid).some((line) => line.endsWith(`/${group.id}`)), `pid ${pid} in ${group.id}: ${cgroupsOf(pid).join(' | ')}`);
    }
    assert.deepEqual(group.pids().sort(), [parent.pid as number, childPid].sort());
    const dir = join(quotas.cpuRoot as string, group.id);
    if (quotas.kind === 'cgroup2') assert.equal(readFileSync(join(dir, 'cpu.max'), 'utf8').trim(), '50000 100000');
    else assert.equal(readFileSync(join(dir, 'cpu.cfs_quota_us'), 'utf8').trim(), '50000');
    await waitFor(() => (group.usageMicros() ?? 0) > 0, 'CPU counted in the group', 30_000);

    parent.kill('SIGKILL');
    process.kill(childPid, 'SIGKILL');
    assert.equal(await group.remove(), true);
    assert.equal(existsSync(dir), false);
  });

  it('removes the empty groups of earlier runs that ended, and keeps those of running ones', async () => {
    let dead = 4_000_000;
    while (existsSync(`/proc/${dead}`)) dead++;
    const stale = join(quotas.cpuRoot as string, `cloudbridge-bench-${dead}-left-over`);
    mkdirSync(stale);
    const mine = createCpuGroup(quotas, 'still-running', 0.5);
    try {
      assert.ok(removeStaleCpuGroups(quotas) >= 1);
      assert.equal(existsSync(stale), false);
      assert.equal(existsSync(join(quotas.cpuRoot as string, mine.id)), true);
    } finally {
      await mine.remove();
    }
  });

  it('refuses a quota of zero cores', () => {
    assert.throws(() => createCpuGroup(quotas, 'zero', 0), /cores must be above 0/);
  });
});

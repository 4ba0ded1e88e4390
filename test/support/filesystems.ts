/**
 * Real file-system failures for store tests (needs root; each helper returns a reason to skip
 * instead when mounting is not permitted):
 * - a small tmpfs that can be filled to the last byte and freed again (disk full);
 * - a small ext4 image on a loop device mounted with errors=remount-ro, which the kernel turns
 *   read-only on request while files stay open for writing (a `mount -o remount,ro` would be
 *   refused with EBUSY), as it does after an I/O error on a real disk.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, truncateSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

export interface SmallDisk {
  /** The mount point. */
  dir: string;
  /** Writes a filler file until the file system has no byte left; returns the bytes written. */
  fill(): number;
  /** Removes the filler file. */
  free(): void;
  /** Unmounts (lazily, so it works after a crash of the test too) and removes the mount point. */
  dispose(): void;
}

export interface BreakableDisk {
  dir: string;
  /** Makes the kernel switch the file system to read-only (an ext4 error with errors=remount-ro). */
  makeReadOnly(): void;
  dispose(): void;
}

const FILLER = '.filler';

function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function unmount(dir: string): void {
  try { run('umount', ['-l', dir]); } catch { /* not mounted */ }
  rmSync(dir, { recursive: true, force: true });
}

function reasonOf(err: unknown): string {
  const e = err as { stderr?: string; message?: string };
  return (e.stderr || e.message || String(err)).trim();
}

/** A tmpfs of `sizeBytes`, or the reason it cannot be mounted here. */
export function mountSmallDisk(sizeBytes: number): SmallDisk | string {
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root';
  const dir = mkdtempSync(join(tmpdir(), 'cb-small-disk-'));
  try {
    run('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes}`, 'tmpfs', dir]);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    return `cannot mount a tmpfs: ${reasonOf(err)}`;
  }
  return {
    dir,
    fill() {
      const fd = openSync(join(dir, FILLER), 'a');
      let written = 0;
      try {
        for (const chunk of [Buffer.alloc(256 * 1024, 1), Buffer.alloc(4096, 1), Buffer.alloc(512, 1), Buffer.alloc(1, 1)]) {
          for (;;) {
            try {
              written += writeSync(fd, chunk);
            } catch (err) {
              if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
              break;
            }
          }
        }
      } finally {
        closeSync(fd);
      }
      return written;
    },
    free() {
      try { truncateSync(join(dir, FILLER), 0); } catch { /* none */ }
      rmSync(join(dir, FILLER), { force: true });
    },
    dispose: () => unmount(dir),
  };
}

/** An ext4 file system of `sizeMiB` on a loop device, or the reason it cannot be mounted here. */
export function mountBreakableDisk(sizeMiB: number): BreakableDisk | string {
  if (process.getuid?.() !== 0) return 'mounting a loop device needs root';
  const work = mkdtempSync(join(tmpdir(), 'cb-ro-disk-'));
  const image = join(work, 'disk.img');
  const dir = join(work, 'mnt');
  const cleanup = (): void => {
    unmount(dir);
    rmSync(work, { recursive: true, force: true });
  };
  let device: string;
  try {
    truncateSync(openAndClose(image), sizeMiB * 1024 * 1024);
    run('mkfs.ext4', ['-q', '-F', image]);
    run('mkdir', ['-p', dir]);
    run('mount', ['-o', 'loop,errors=remount-ro', image, dir]);
    device = basename(run('findmnt', ['-n', '-o', 'SOURCE', dir]).trim());
  } catch (err) {
    cleanup();
    return `cannot mount an ext4 image on a loop device: ${reasonOf(err)}`;
  }
  return {
    dir,
    makeReadOnly() {
      run('sh', ['-c', `echo 1 > /sys/fs/ext4/${device}/trigger_fs_error`]);
      const options = run('findmnt', ['-n', '-o', 'OPTIONS', dir]);
      if (!/(^|,)ro(,|$)|emergency_ro/.test(options)) throw new Error(`${dir} did not become read-only: ${options}`);
    },
    dispose: cleanup,
  };
}

function openAndClose(path: string): string {
  closeSync(openSync(path, 'w'));
  return path;
}

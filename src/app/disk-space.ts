/**
 * Free space of the file system that holds the SQLite database (fs.statfs): the
 * `cloudbridge_store_disk_free_bytes` metric, the "low disk" note of `/ready`, and a WARNING (log
 * line and event) at most once per `warnEveryMs` while the free space is below the threshold.
 * Low disk alone does not make the instance unready: commits failing does (StoreHealth).
 */
import { statfs } from 'node:fs/promises';
import type { Clock } from '../core/clock.ts';
import { CloudbridgeError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { formatBytes } from './bytes.ts';

/** Below this much free space a warning is given: bytes, or a percentage of the file system. */
export type DiskThreshold = { bytes: number } | { percent: number };

export const DEFAULT_DISK_FREE_WARNING = '1GiB';

const UNITS: Record<string, number> = {
  B: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, KIB: 1024, MIB: 1024 ** 2, GIB: 1024 ** 3, TIB: 1024 ** 4,
};

/** `1073741824`, `"500MB"`, `"1GiB"` or `"5%"`. */
export function parseDiskThreshold(value: string | number | undefined, field = 'store.sqlite.diskFreeWarning'): DiskThreshold {
  const v = value ?? DEFAULT_DISK_FREE_WARNING;
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return { bytes: Math.floor(v) };
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%|[KMGT]i?B|B)?\s*$/i.exec(String(v));
  const amount = m ? Number(m[1]) : NaN;
  const unit = (m?.[2] ?? 'B').toUpperCase();
  if (!m || !Number.isFinite(amount) || (unit === '%' && amount > 100)) {
    throw new CloudbridgeError('CONFIG_INVALID', `${field}: expected a size such as 1GiB or 500MB, a number of bytes, or a percentage such as 5%; got ${JSON.stringify(v)}`, { field });
  }
  if (unit === '%') return { percent: amount };
  return { bytes: Math.floor(amount * (UNITS[unit] ?? 1)) };
}

export interface DiskStatus {
  /** The directory checked (the database's). */
  path: string;
  /** Bytes an unprivileged process may still write. */
  freeBytes: number;
  sizeBytes: number;
  /** The warning threshold in bytes. */
  warnBelowBytes: number;
  low: boolean;
  checkedAt: number;
}

export interface DiskMonitorOptions {
  directory: string;
  threshold: DiskThreshold;
  clock: Clock;
  log: Logger;
  /** At most one warning per this period while the disk stays low. Default 10 minutes. */
  warnEveryMs?: number;
  /** Called with each warning given (e.g. to record a WARNING event). */
  onWarning?: (message: string, status: DiskStatus) => void;
}

export class DiskMonitor {
  private readonly opts: DiskMonitorOptions;
  private status: DiskStatus | null = null;
  private lastWarningAt = -Infinity;

  constructor(opts: DiskMonitorOptions) {
    this.opts = opts;
  }

  get last(): DiskStatus | null {
    return this.status;
  }

  /** Reads the free space now; gives the warning when it is low (at most once per period). Null when statfs fails. */
  async check(): Promise<DiskStatus | null> {
    let s: Awaited<ReturnType<typeof statfs>>;
    try {
      s = await statfs(this.opts.directory);
    } catch (err) {
      this.opts.log.debug({ err: (err as Error).message, path: this.opts.directory }, 'cannot read the free disk space');
      return this.status;
    }
    const sizeBytes = s.blocks * s.bsize;
    const freeBytes = s.bavail * s.bsize;
    const t = this.opts.threshold;
    const warnBelowBytes = 'bytes' in t ? t.bytes : Math.floor((sizeBytes * t.percent) / 100);
    const now = this.opts.clock.now();
    this.status = { path: this.opts.directory, freeBytes, sizeBytes, warnBelowBytes, low: freeBytes < warnBelowBytes, checkedAt: now };
    if (this.status.low && now - this.lastWarningAt >= (this.opts.warnEveryMs ?? 600_000)) {
      this.lastWarningAt = now;
      const message = `low disk: ${formatBytes(freeBytes)} free of ${formatBytes(sizeBytes)} where the database is (${this.opts.directory}); `
        + `the warning threshold is ${formatBytes(warnBelowBytes)}. Commits fail when it is full: free space or grow the volume.`;
      this.opts.log.warn({ code: 'STORE_DISK_LOW', freeBytes, sizeBytes, warnBelowBytes, path: this.opts.directory }, message);
      this.opts.onWarning?.(message, this.status);
    }
    return this.status;
  }
}

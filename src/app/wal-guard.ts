/**
 * Keeps the SQLite write-ahead log bounded. SQLite's own checkpoint after each commit that leaves
 * 32 MiB in the WAL keeps it under the bound while nothing else reads the database; this guard,
 * run every few seconds from housekeeping, covers the rest:
 * - above `boundBytes` (checkpoints could not finish: another process holds a read transaction
 *   open), it runs a TRUNCATE checkpoint, and warns, at most once per `warnEveryMs`, when that
 *   cannot finish either;
 * - when no write happened since the previous check (idle), it truncates the WAL to zero bytes,
 *   so an idle database is one self-contained file and the WAL's disk space is given back.
 * A truncating checkpoint never waits for other connections, so it never blocks the event loop.
 */
import type { Clock } from '../core/clock.ts';
import { toCloudbridgeError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { StoreFiles } from '../store/types.ts';
import { formatBytes } from './bytes.ts';

/** The documented bound of the WAL file (docs/configuration.md). */
export const WAL_BOUND_BYTES = 48 * 1024 * 1024;

export interface WalCheck {
  walBytes: number;
  /** A truncating checkpoint ran and emptied the WAL. */
  truncated: boolean;
  /** The WAL is above the bound and could not be emptied (another connection reads). */
  blocked: boolean;
}

export interface WalGuardOptions {
  files: StoreFiles;
  clock: Clock;
  log: Logger;
  boundBytes?: number;
  /** At most one "checkpoint blocked" warning per this period. Default 10 minutes. */
  warnEveryMs?: number;
  /** Called with each warning given (e.g. to record a WARNING event). */
  onWarning?: (message: string) => void;
}

export class WalGuard {
  private readonly opts: WalGuardOptions;
  private readonly boundBytes: number;
  private lastModifiedAt = -1;
  private lastWarningAt = -Infinity;

  constructor(opts: WalGuardOptions) {
    this.opts = opts;
    this.boundBytes = opts.boundBytes ?? WAL_BOUND_BYTES;
  }

  get bound(): number {
    return this.boundBytes;
  }

  async check(): Promise<WalCheck> {
    const { files, log } = this.opts;
    const wal = files.wal();
    const idle = wal.modifiedAt === this.lastModifiedAt;
    this.lastModifiedAt = wal.modifiedAt;
    if (wal.bytes === 0 || (wal.bytes <= this.boundBytes && !idle)) return { walBytes: wal.bytes, truncated: false, blocked: false };
    let result: Awaited<ReturnType<StoreFiles['truncateWal']>>;
    try {
      result = await files.truncateWal();
    } catch (err) {
      log.warn({ err: toCloudbridgeError(err).message, walBytes: wal.bytes }, 'WAL checkpoint failed');
      return { walBytes: wal.bytes, truncated: false, blocked: wal.bytes > this.boundBytes };
    }
    this.lastModifiedAt = files.wal().modifiedAt;
    if (result.complete) {
      const fields = { walBytesBefore: result.walBytesBefore, walBytes: result.walBytesAfter };
      if (wal.bytes > this.boundBytes) log.info(fields, `WAL was above its ${formatBytes(this.boundBytes)} bound: checkpointed and truncated`);
      else log.debug(fields, 'idle: WAL checkpointed and truncated');
      return { walBytes: result.walBytesAfter, truncated: true, blocked: false };
    }
    const blocked = result.walBytesAfter > this.boundBytes;
    const now = this.opts.clock.now();
    if (blocked && now - this.lastWarningAt >= (this.opts.warnEveryMs ?? 600_000)) {
      this.lastWarningAt = now;
      const message = `the SQLite write-ahead log is ${formatBytes(result.walBytesAfter)}, above its ${formatBytes(this.boundBytes)} bound, `
        + 'and cannot be checkpointed: another process holds a read transaction open on the database (a sqlite3 shell, a backup tool?); '
        + 'end it, and the WAL is truncated at the next check';
      log.warn({ code: 'STORE_WAL_BLOCKED', walBytes: result.walBytesAfter, boundBytes: this.boundBytes }, message);
      this.opts.onWarning?.(message);
    }
    return { walBytes: result.walBytesAfter, truncated: false, blocked };
  }
}

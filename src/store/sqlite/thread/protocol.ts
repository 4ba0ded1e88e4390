/**
 * The messages between SqliteThreadStore (main thread) and the worker thread owning the SQLite
 * connection. Every call carries an id and is answered exactly once, in order; the worker runs
 * one call at a time, so a commit and a query never interleave (as with node:sqlite in one thread).
 */
import type { WireError } from '../../../core/wire-error.ts';
import type { Store } from '../../types.ts';
import type { SqliteStoreOptions } from '../sqlite-store.ts';

/** Store methods that cross to the worker as they are; the others (kind, files, close) are the proxy's own. */
export type ThreadMethod = Exclude<keyof Store, 'kind' | 'files' | 'close'> | 'truncateWal';

/** Every proxied method once: the compiler checks the list is complete. */
export const THREAD_METHODS: Record<ThreadMethod, true> = {
  migrate: true, ping: true, truncateWal: true,
  commitUplinks: true, pruneDedupeKeys: true, getEntity: true, listEntities: true,
  queryTelemetry: true, latestTelemetry: true, telemetryKeys: true, countTelemetry: true,
  listAttributes: true, setAttributes: true, deleteAttributes: true,
  addEvents: true, listEvents: true, pruneEvents: true,
  pruneOlderThan: true, oldestRow: true, storeSizeBytes: true,
  listDeadLetters: true, getDeadLetter: true, setDeadLetterState: true,
  appendOutbox: true, readOutbox: true, deleteOutbox: true, rejectOutbox: true, outboxStats: true, expireOutbox: true,
  enqueueDownlink: true, getDownlink: true, listQueuedDownlinks: true, listDownlinks: true, markDownlink: true, recordDownlinkOutcome: true,
  listIntegrations: true, getIntegration: true, saveIntegration: true, deleteIntegration: true,
  listConverters: true, getConverter: true, saveConverter: true, deleteConverter: true,
  listLeases: true, ensureLeases: true, claimLease: true, renewLease: true, releaseLease: true,
  writeCheckpoint: true, setLeaseMeta: true, removeLeases: true,
  getConversionJournal: true, setConversionJournal: true, clearConversionJournal: true,
  getSetting: true, setSetting: true, listTokens: true, addToken: true, deleteToken: true,
  addAudit: true, listAudit: true, pruneAudit: true,
};

export function isThreadMethod(name: string): name is ThreadMethod {
  return Object.hasOwn(THREAD_METHODS, name);
}

/** Passed to the worker at start (workerData). */
export interface ThreadStoreInit {
  options: SqliteStoreOptions;
}

export interface ThreadCall {
  id: number;
  method: ThreadMethod | 'close';
  args: unknown[];
}

export type ThreadReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: WireError };

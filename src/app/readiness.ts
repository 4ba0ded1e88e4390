/**
 * What `/ready` answers: ready while the store is reachable and takes writes (the last commit or
 * write probe succeeded), with the reason when not, plus warnings that do not make the instance
 * unready yet (low disk, a WAL that cannot be checkpointed). See docs/api.md.
 */
import type { Store } from '../store/types.ts';
import { formatBytes } from './bytes.ts';
import type { DiskMonitor, DiskStatus } from './disk-space.ts';
import type { IntegrationManager } from './integration-manager.ts';
import type { StoreFailure, StoreHealth } from './store-health.ts';
import type { WalGuard } from './wal-guard.ts';

export interface ReadinessReport {
  status: 'ready' | 'not ready';
  ready: boolean;
  /** Why not ready (absent when ready). */
  reason?: string;
  store: {
    kind: Store['kind'];
    /** Answers a query (SELECT 1 within 2 s). */
    reachable: boolean;
    /** The last commit or write probe succeeded. */
    writable: boolean;
    /** Why commits fail: code, message, the integration that saw it last (null: only the write probe), since when. */
    failure: StoreFailure | null;
    lastSuccessAt: number | null;
    recoveredAt: number | null;
    /** SQLite: free space where the database is. */
    disk?: DiskStatus;
    /** SQLite: the write-ahead log's size and bound. */
    wal?: { bytes: number; boundBytes: number };
  };
  /** Conditions to act on that do not (yet) make the instance unready, e.g. low disk. */
  warnings: string[];
  integrations: Array<{ name: string; state: string }>;
}

export interface ReadinessDeps {
  store: Store;
  health: StoreHealth;
  manager: IntegrationManager;
  disk?: DiskMonitor;
  walGuard?: WalGuard;
  pingTimeoutMs?: number;
}

export async function checkReadiness(deps: ReadinessDeps): Promise<ReadinessReport> {
  const reachable = await pingWithin(deps.store, deps.pingTimeoutMs ?? 2000);
  const health = deps.health.snapshot();
  const disk = deps.disk ? await deps.disk.check() : null;
  const warnings: string[] = [];
  if (disk?.low) warnings.push(`low disk: ${formatBytes(disk.freeBytes)} free (warning below ${formatBytes(disk.warnBelowBytes)}) in ${disk.path}`);
  let wal: ReadinessReport['store']['wal'];
  if (deps.store.files && deps.walGuard) {
    wal = { bytes: deps.store.files.wal().bytes, boundBytes: deps.walGuard.bound };
    if (wal.bytes > wal.boundBytes) warnings.push(`the write-ahead log is ${formatBytes(wal.bytes)}, above its ${formatBytes(wal.boundBytes)} bound: another process may hold a read transaction open`);
  }
  const ready = reachable && health.writable;
  let reason: string | undefined;
  if (!reachable) reason = 'the store does not answer';
  if (health.failure) {
    const f = health.failure;
    reason = `${reason ? `${reason}; ` : ''}commits fail since ${new Date(f.since).toISOString()}: ${f.message}${f.integration ? ` (integration "${f.integration}")` : ' (write probe)'}`;
  }
  return {
    status: ready ? 'ready' : 'not ready',
    ready,
    ...(reason ? { reason } : {}),
    store: {
      kind: deps.store.kind, reachable, writable: health.writable, failure: health.failure,
      lastSuccessAt: health.lastSuccessAt, recoveredAt: health.recoveredAt,
      ...(disk ? { disk } : {}), ...(wal ? { wal } : {}),
    },
    warnings,
    integrations: deps.manager.all().map((r) => ({ name: r.config.name, state: r.status().state })),
  };
}

async function pingWithin(store: Store, timeoutMs: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), timeoutMs); });
  try {
    return await Promise.race([store.ping().catch(() => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

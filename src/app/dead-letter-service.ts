/**
 * Dead-letter replay: runs a dead letter through its integration's CURRENT uplink converter and,
 * when it converts, commits its results idempotently (replaying twice stores once). A replay that
 * fails again leaves the dead letter pending and returns the new error.
 *
 * A dead letter of stage `forward` (an outbox row a forwarder's peer refused, or that outlived the
 * outbox retention; ADR 017) is not converted again: its row goes back to the end of the outbox
 * (`requeued`); replaying it once more changes nothing (`duplicate`).
 *
 * Every letter replayed or discarded is recorded in the audit log, one entry per letter and one
 * store write per call; a replay that failed (the letter stays pending) is not.
 */
import { CloudbridgeError } from '../core/errors.ts';
import { outboxRowOfDeadLetter } from '../store/outbox-rows.ts';
import type { DeadLetter, NewOutboxRow, Store } from '../store/types.ts';
import type { UplinkConverterRunner } from '../converters/types.ts';
import type { Actor, AuditChange, AuditLog } from './audit-log.ts';
import type { ConverterFactory } from './integration-runtime.ts';

export interface ReplayResult {
  id: string;
  ok: boolean;
  /**
   * `requeued`: a `forward` dead letter's row is back in the outbox. `dead-lettered`: the current
   * converter failed again (or may not create the device); the letter stays pending, `error` says why.
   * `failed`: it could not be replayed at all (gone, its integration or converter gone, a bad row).
   */
  status: 'stored' | 'duplicate' | 'requeued' | 'dead-lettered' | 'failed';
  error?: { code: string; message: string; stage: string };
}

export interface DiscardResult {
  id: string;
  ok: boolean;
  status: 'discarded' | 'failed';
  error?: { code: string; message: string };
}

/** The audit entry of a letter's new state (replayed with its outcome, or discarded). */
function letterChange(dl: DeadLetter, action: 'replay' | 'discard', after: Record<string, unknown>): AuditChange {
  const before = { integrationId: dl.integrationId, state: dl.state, stage: dl.stage, errorCode: dl.errorCode };
  return { action, entityKind: 'dead-letter', entityId: dl.id, entityName: null, before, after: { ...before, ...after } };
}

function failure(err: unknown): { code: string; message: string } {
  if (err instanceof CloudbridgeError) return { code: err.code, message: err.message };
  throw err;
}

export class DeadLetterService {
  private readonly store: Store;
  private readonly converters: ConverterFactory;
  private readonly audit: AuditLog;

  constructor(deps: { store: Store; converters: ConverterFactory; audit: AuditLog }) {
    this.store = deps.store;
    this.converters = deps.converters;
    this.audit = deps.audit;
  }

  async replay(id: string, by: Actor): Promise<ReplayResult> {
    const [result] = await this.replayMany([id], by);
    if (!result) throw new CloudbridgeError('NOT_FOUND', `dead letter ${id} not found`);
    return result;
  }

  /** Replays several dead letters, compiling each integration's converter once for all of them. */
  async replayMany(ids: string[], by: Actor): Promise<ReplayResult[]> {
    return this.recorded(by, (changes) => this.replayBatch(ids, changes));
  }

  /** Like replayMany, but a letter that cannot be replayed (e.g. gone) is a `failed` result, not an error. */
  async replayEach(ids: string[], by: Actor): Promise<ReplayResult[]> {
    return this.recorded(by, async (changes) => {
      const results: ReplayResult[] = [];
      for (const id of ids) {
        try {
          results.push(...await this.replayBatch([id], changes));
        } catch (err) {
          results.push({ id, ok: false, status: 'failed', error: { ...failure(err), stage: 'replay' } });
        }
      }
      return results;
    });
  }

  /** Discards one letter; NOT_FOUND when there is none. */
  async discard(id: string, by: Actor): Promise<void> {
    await this.recorded(by, (changes) => this.discardOne(id, changes));
  }

  /** Discards each letter; an unknown one is a `failed` result. */
  async discardEach(ids: string[], by: Actor): Promise<DiscardResult[]> {
    return this.recorded(by, async (changes) => {
      const results: DiscardResult[] = [];
      for (const id of ids) {
        try {
          await this.discardOne(id, changes);
          results.push({ id, ok: true, status: 'discarded' });
        } catch (err) {
          results.push({ id, ok: false, status: 'failed', error: failure(err) });
        }
      }
      return results;
    });
  }

  /** Runs `fn`, then records the changes it made (also when it failed part-way) in one write. */
  private async recorded<T>(by: Actor, fn: (changes: AuditChange[]) => Promise<T>): Promise<T> {
    const changes: AuditChange[] = [];
    try {
      return await fn(changes);
    } finally {
      await this.audit.record(by, changes);
    }
  }

  private async discardOne(id: string, changes: AuditChange[]): Promise<void> {
    const dl = await this.store.getDeadLetter(id);
    if (!dl) throw new CloudbridgeError('NOT_FOUND', `dead letter ${id} not found`);
    await this.store.setDeadLetterState(id, 'discarded');
    changes.push(letterChange(dl, 'discard', { state: 'discarded' }));
  }

  /** Replays the letters with one converter runner per integration; adds an audit change per letter replayed. */
  private async replayBatch(ids: string[], changes: AuditChange[]): Promise<ReplayResult[]> {
    const runners = new Map<string, UplinkConverterRunner>();
    try {
      const results: ReplayResult[] = [];
      for (const id of ids) {
        const dl = await this.store.getDeadLetter(id);
        if (!dl) throw new CloudbridgeError('NOT_FOUND', `dead letter ${id} not found`);
        const result = await this.replayOne(dl, runners);
        if (result.ok) changes.push(letterChange(dl, 'replay', { state: 'replayed', outcome: result.status }));
        results.push(result);
      }
      return results;
    } finally {
      for (const r of runners.values()) r.dispose();
    }
  }

  private async replayOne(dl: DeadLetter, runners: Map<string, UplinkConverterRunner>): Promise<ReplayResult> {
    const id = dl.id;
    if (dl.stage === 'forward') return this.requeue(dl);
    const integration = await this.store.getIntegration(dl.integrationId);
    if (!integration) throw new CloudbridgeError('NOT_FOUND', `the integration of dead letter ${id} no longer exists`);
    let runner = runners.get(integration.uplinkConverterId);
    if (!runner) {
      const converterCfg = await this.store.getConverter(integration.uplinkConverterId);
      if (!converterCfg) throw new CloudbridgeError('NOT_FOUND', `the uplink converter of integration "${integration.name}" no longer exists`);
      runner = await this.converters.uplink(converterCfg);
      runners.set(integration.uplinkConverterId, runner);
    }
    const [conv] = await runner.convert([{ payload: dl.payload, metadata: dl.metadata, receivedAt: dl.receivedAt }]);
    if (!conv || !conv.ok) {
      const error = conv ? { code: conv.error.code, message: conv.error.message, stage: conv.stage } : { code: 'INTERNAL', message: 'no result', stage: 'convert' };
      return { id, ok: false, status: 'dead-lettered', error };
    }
    if (!integration.allowCreateDevices) {
      for (const rec of conv.records) {
        if (!(await this.store.getEntity(rec.kind, rec.name))) {
          return { id, ok: false, status: 'dead-lettered', error: { code: 'DEVICE_CREATION_FORBIDDEN', message: `${rec.kind.toLowerCase()} "${rec.name}" does not exist and integration "${integration.name}" may not create it`, stage: 'provision' } };
        }
      }
    }
    const { results } = await this.store.commitUplinks({
      integrationId: integration.id,
      allowCreateDevices: integration.allowCreateDevices,
      items: [{
        sourceKey: `replay:${dl.id}`, payload: dl.payload, metadata: dl.metadata, receivedAt: dl.receivedAt,
        outcome: { kind: 'records', records: conv.records },
      }],
    });
    await this.store.setDeadLetterState(id, 'replayed');
    return { id, ok: true, status: results[0]?.status === 'duplicate' ? 'duplicate' : 'stored' };
  }

  /** Puts a `forward` dead letter's row back in the outbox, once. */
  private async requeue(dl: DeadLetter): Promise<ReplayResult> {
    if (dl.state === 'replayed') return { id: dl.id, ok: true, status: 'duplicate' };
    let row: NewOutboxRow;
    try {
      row = outboxRowOfDeadLetter(dl.payload);
    } catch (err) {
      const e = err as CloudbridgeError;
      return { id: dl.id, ok: false, status: 'failed', error: { code: e.code, message: e.message, stage: 'forward' } };
    }
    await this.store.appendOutbox([row]);
    await this.store.setDeadLetterState(dl.id, 'replayed');
    return { id: dl.id, ok: true, status: 'requeued' };
  }
}

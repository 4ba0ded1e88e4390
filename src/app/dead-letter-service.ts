/**
 * Dead-letter replay: runs a dead letter through its integration's CURRENT uplink converter and,
 * when it converts, commits its results idempotently (replaying twice stores once). A replay that
 * fails again leaves the dead letter pending and returns the new error.
 *
 * A dead letter of stage `forward` (an outbox row a forwarder's peer refused, or that outlived the
 * outbox retention; ADR 017) is not converted again: its row goes back to the end of the outbox
 * (`requeued`); replaying it once more changes nothing (`duplicate`).
 */
import { CloudbridgeError } from '../core/errors.ts';
import { outboxRowOfDeadLetter } from '../store/outbox-rows.ts';
import type { DeadLetter, NewOutboxRow, Store } from '../store/types.ts';
import type { UplinkConverterRunner } from '../converters/types.ts';
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

function failure(err: unknown): { code: string; message: string } {
  if (err instanceof CloudbridgeError) return { code: err.code, message: err.message };
  throw err;
}

export class DeadLetterService {
  private readonly store: Store;
  private readonly converters: ConverterFactory;

  constructor(deps: { store: Store; converters: ConverterFactory }) {
    this.store = deps.store;
    this.converters = deps.converters;
  }

  async replay(id: string): Promise<ReplayResult> {
    const [result] = await this.replayMany([id]);
    if (!result) throw new CloudbridgeError('NOT_FOUND', `dead letter ${id} not found`);
    return result;
  }

  /** Replays several dead letters, compiling each integration's converter once for all of them. */
  async replayMany(ids: string[]): Promise<ReplayResult[]> {
    const runners = new Map<string, UplinkConverterRunner>();
    try {
      const results: ReplayResult[] = [];
      for (const id of ids) results.push(await this.replayOne(id, runners));
      return results;
    } finally {
      for (const r of runners.values()) r.dispose();
    }
  }

  /** Like replayMany, but a letter that cannot be replayed (e.g. gone) is a `failed` result, not an error. */
  async replayEach(ids: string[]): Promise<ReplayResult[]> {
    const results: ReplayResult[] = [];
    for (const id of ids) {
      try {
        results.push(...await this.replayMany([id]));
      } catch (err) {
        results.push({ id, ok: false, status: 'failed', error: { ...failure(err), stage: 'replay' } });
      }
    }
    return results;
  }

  /** Discards each letter; an unknown one is a `failed` result. */
  async discardEach(ids: string[]): Promise<DiscardResult[]> {
    const results: DiscardResult[] = [];
    for (const id of ids) {
      try {
        await this.store.setDeadLetterState(id, 'discarded');
        results.push({ id, ok: true, status: 'discarded' });
      } catch (err) {
        results.push({ id, ok: false, status: 'failed', error: failure(err) });
      }
    }
    return results;
  }

  private async replayOne(id: string, runners: Map<string, UplinkConverterRunner>): Promise<ReplayResult> {
    const dl = await this.store.getDeadLetter(id);
    if (!dl) throw new CloudbridgeError('NOT_FOUND', `dead letter ${id} not found`);
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

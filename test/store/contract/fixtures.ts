/** Builders and helpers shared by the store contract suite. */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { DeadLetterInput, DedupeMode, EntityKind, EntityRecord, KvValue } from '../../../src/core/model.ts';
import type { Store, UplinkCommit, UplinkCommitItem, UplinkItemResult } from '../../../src/store/types.ts';

export interface StoreHarness {
  /** A store on a new, empty, migrated database. */
  open(): Promise<Store>;
  /** A new store on the database of `closed` (already closed by the suite). */
  reopen(closed: Store): Promise<Store>;
}

export const INTEGRATION = 'int-a';
export const T0 = 1_700_000_000_000;

/** Opens a fresh store that is closed when the test ends. */
export async function freshStore(t: TestContext, h: StoreHarness): Promise<Store> {
  const store = await h.open();
  t.after(() => store.close());
  return store;
}

export const bool = (value: boolean): KvValue => ({ type: 'bool', value });
export const long = (value: number): KvValue => ({ type: 'long', value });
export const dbl = (value: number): KvValue => ({ type: 'double', value });
export const str = (value: string): KvValue => ({ type: 'string', value });
export const json = (value: unknown): KvValue => ({ type: 'json', value });

export interface RecordSpec {
  kind?: EntityKind;
  type?: string;
  label?: string;
  customerName?: string;
  groupName?: string;
  /** `[ts, key, value]` points. */
  points?: Array<[number, string, KvValue]>;
  /** `[message time, key, value]` points the converter gave no ts (they may move to the next free ms). */
  implicit?: Array<[number, string, KvValue]>;
  attributes?: Record<string, KvValue>;
}

export function record(name: string, spec: RecordSpec = {}): EntityRecord {
  const r: EntityRecord = {
    kind: spec.kind ?? 'DEVICE', name, type: spec.type ?? 'default',
    attributes: Object.entries(spec.attributes ?? {}).map(([key, value]) => ({ key, value })),
    telemetry: [
      ...(spec.points ?? []).map(([ts, key, value]) => ({ ts, key, value })),
      ...(spec.implicit ?? []).map(([ts, key, value]) => ({ ts, key, value, implicitTs: true as const })),
    ],
  };
  if (spec.label !== undefined) r.label = spec.label;
  if (spec.customerName !== undefined) r.customerName = spec.customerName;
  if (spec.groupName !== undefined) r.groupName = spec.groupName;
  return r;
}

export interface ItemOptions {
  dedupe?: DedupeMode;
  payload?: Uint8Array;
  metadata?: Record<string, string>;
  receivedAt?: number;
}

export function stored(sourceKey: string, records: EntityRecord[], opts: ItemOptions = {}): UplinkCommitItem {
  return item(sourceKey, { kind: 'records', records }, opts);
}

export function failed(sourceKey: string, deadLetter: DeadLetterInput, opts: ItemOptions = {}): UplinkCommitItem {
  return item(sourceKey, { kind: 'dead-letter', deadLetter }, opts);
}

function item(sourceKey: string, outcome: UplinkCommitItem['outcome'], opts: ItemOptions): UplinkCommitItem {
  const i: UplinkCommitItem = {
    sourceKey, payload: opts.payload ?? new TextEncoder().encode(`{"key":"${sourceKey}"}`),
    metadata: opts.metadata ?? { topic: 'sensors/1' }, receivedAt: opts.receivedAt ?? T0, outcome,
  };
  if (opts.dedupe !== undefined) i.dedupe = opts.dedupe;
  return i;
}

export function batch(items: UplinkCommitItem[], opts: Partial<Omit<UplinkCommit, 'items'>> = {}): UplinkCommit {
  const c: UplinkCommit = { integrationId: opts.integrationId ?? INTEGRATION, allowCreateDevices: opts.allowCreateDevices ?? true, items };
  if (opts.events !== undefined) c.events = opts.events;
  if (opts.checkpoints !== undefined) c.checkpoints = opts.checkpoints;
  if (opts.forward !== undefined) c.forward = opts.forward;
  return c;
}

/** Commits and returns the item statuses. */
export async function commitStatuses(store: Store, commit: UplinkCommit): Promise<Array<UplinkItemResult['status']>> {
  const { results } = await store.commitUplinks(commit);
  return results.map((r) => r.status);
}

/** The id of an existing entity (fails the test when it does not exist). */
export async function entityId(store: Store, name: string, kind: EntityKind = 'DEVICE'): Promise<string> {
  const e = await store.getEntity(kind, name);
  assert.ok(e, `${kind} ${name} should exist`);
  return e.id;
}

/** A stable summary of everything stored for a device: points, latest values, attributes. */
export async function snapshot(store: Store, name: string): Promise<unknown> {
  const e = await store.getEntity('DEVICE', name);
  if (e === null) return null;
  return {
    points: await store.queryTelemetry({ entityId: e.id }),
    latest: await store.latestTelemetry(e.id),
    attributes: (await store.listAttributes(e.id)).map((a) => ({ key: a.key, scope: a.scope, value: a.value })),
  };
}

/** Asserts that a promise rejects with a CloudbridgeError of this code. */
export async function rejectsWithCode(p: Promise<unknown>, code: string, messagePart?: string | RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.equal((err as { code?: unknown }).code, code, `expected ${code}, got ${String(err)}`);
    if (messagePart !== undefined) assert.match((err as Error).message, typeof messagePart === 'string' ? new RegExp(escape(messagePart)) : messagePart);
    return true;
  });
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The tables' rows as both SQL stores read them, and their mapping to the domain objects of
 * ./types.ts. Where the drivers differ (SQLite gives 0/1 for booleans and Uint8Array for blobs,
 * PostgreSQL gives booleans and Buffers) the row type admits both and the mapper normalises.
 */
import type { ConverterConfig, ConverterLanguage, ConverterType, DeadLetterInput, DownlinkOutcome, DownlinkStatus, EntityKind, IntegrationConfig } from '../core/model.ts';
import type { RetentionSettings } from '../core/retention.ts';
import { decodeJson, encodeJson } from './kv-columns.ts';
import type { ApiToken, ConversionJournalEntry, DeadLetter, DeadLetterState, Downlink, Entity, EventType, StoredEvent } from './types.ts';

/** A boolean column: SQLite stores 0/1, PostgreSQL a boolean. */
export type BoolColumn = number | boolean;

function fromBool(v: BoolColumn): boolean {
  return v === true || v === 1;
}

/** Default page size of the event and downlink listings. */
export const DEFAULT_LIMIT = 100;

/** The event types an event query asks for (`type` and `types` together); empty: all. */
export function typesOf(q: { type?: EventType; types?: readonly EventType[] }): EventType[] {
  return [...new Set([...(q.type ? [q.type] : []), ...(q.types ?? [])])];
}

export interface EntityRow {
  id: string;
  kind: EntityKind;
  name: string;
  type: string;
  label: string | null;
  customer_name: string | null;
  group_name: string | null;
  created_by_integration_id: string | null;
  created_at: number;
}

export const ENTITY_COLUMNS = 'id, kind, name, type, label, customer_name, group_name, created_by_integration_id, created_at';

export function toEntity(r: EntityRow): Entity {
  return {
    id: r.id, kind: r.kind, name: r.name, type: r.type, label: r.label, customerName: r.customer_name,
    groupName: r.group_name, createdByIntegrationId: r.created_by_integration_id, createdAt: r.created_at,
  };
}

export interface EventRow {
  id: string;
  integration_id: string | null;
  converter_id: string | null;
  type: EventType;
  ts: number;
  body_json: string;
}

export function toEvent(r: EventRow): StoredEvent {
  return {
    id: r.id, integrationId: r.integration_id, converterId: r.converter_id, type: r.type, ts: r.ts,
    body: decodeJson<Record<string, unknown>>(r.body_json),
  };
}

export interface TokenRow {
  id: string;
  name: string;
  role: ApiToken['role'];
  hash: string;
  created_at: number;
}

export function toToken(r: TokenRow): ApiToken {
  return { id: r.id, name: r.name, role: r.role, hash: r.hash, createdAt: r.created_at };
}

export interface JournalRow {
  source_keys: string;
  started_at: number | string;
}

export function toJournalEntry(r: JournalRow): ConversionJournalEntry {
  const keys = decodeJson(r.source_keys);
  return { sourceKeys: Array.isArray(keys) ? keys.map(String) : [], startedAt: Number(r.started_at) };
}

export type NewDownlink = Omit<Downlink, 'id' | 'status' | 'error' | 'attempts' | 'outcome' | 'outcomeDetail' | 'outcomeAt' | 'createdAt' | 'updatedAt'>;

export interface DownlinkRow {
  id: string;
  integration_id: string;
  device_name: string;
  msg_type: string;
  msg_json: string;
  metadata_json: string;
  status: DownlinkStatus;
  error: string | null;
  attempts: number;
  outcome: DownlinkOutcome | null;
  outcome_detail: string | null;
  outcome_at: number | null;
  created_at: number;
  updated_at: number;
}

/** The columns a new row is inserted with (the outcome columns start empty). */
export const DOWNLINK_INSERT_COLUMNS = 'id, integration_id, device_name, msg_type, msg_json, metadata_json, status, error, attempts, created_at, updated_at';
export const DOWNLINK_COLUMNS = `${DOWNLINK_INSERT_COLUMNS}, outcome, outcome_detail, outcome_at`;

/** The row of a newly queued downlink. */
export function newDownlinkRow(id: string, d: NewDownlink, now: number): DownlinkRow {
  return {
    id, integration_id: d.integrationId, device_name: d.deviceName, msg_type: d.msgType,
    msg_json: encodeJson(d.msg), metadata_json: encodeJson(d.metadata), status: 'queued', error: null, attempts: 0,
    outcome: null, outcome_detail: null, outcome_at: null, created_at: now, updated_at: now,
  };
}

/** The row's values in DOWNLINK_INSERT_COLUMNS order. */
export function downlinkValues(r: DownlinkRow): Array<string | number | null> {
  return [r.id, r.integration_id, r.device_name, r.msg_type, r.msg_json, r.metadata_json, r.status, r.error, r.attempts, r.created_at, r.updated_at];
}

export function toDownlink(r: DownlinkRow): Downlink {
  return {
    id: r.id, integrationId: r.integration_id, deviceName: r.device_name, msgType: r.msg_type,
    msg: decodeJson(r.msg_json), metadata: decodeJson<Record<string, string>>(r.metadata_json),
    status: r.status, error: r.error, attempts: r.attempts,
    outcome: r.outcome ?? null, outcomeDetail: r.outcome_detail ?? null, outcomeAt: r.outcome_at === null || r.outcome_at === undefined ? null : Number(r.outcome_at),
    createdAt: r.created_at, updatedAt: r.updated_at,
  };
}

export interface NewDeadLetter extends DeadLetterInput {
  integrationId: string;
  sourceKey: string;
  payload: Uint8Array;
  metadata: Record<string, string>;
  receivedAt: number;
}

export interface DeadLetterRow {
  id: string;
  integration_id: string;
  source_key: string;
  stage: string;
  error_code: string;
  error: string;
  /** A Uint8Array (SQLite) or a Buffer (PostgreSQL). */
  payload: Uint8Array;
  metadata_json: string;
  received_at: number;
  created_at: number;
  state: DeadLetterState;
  replay_count: number;
}

export const DEAD_LETTER_COLUMNS = 'id, integration_id, source_key, stage, error_code, error, payload, metadata_json, received_at, created_at, state, replay_count';

export function toDeadLetter(r: DeadLetterRow): DeadLetter {
  return {
    id: r.id, integrationId: r.integration_id, sourceKey: r.source_key, stage: r.stage, errorCode: r.error_code,
    error: r.error, payload: new Uint8Array(r.payload.buffer, r.payload.byteOffset, r.payload.byteLength),
    metadata: decodeJson<Record<string, string>>(r.metadata_json),
    receivedAt: r.received_at, createdAt: r.created_at, state: r.state, replayCount: r.replay_count,
  };
}

export interface IntegrationRow {
  id: string;
  name: string;
  type: string;
  enabled: BoolColumn;
  uplink_converter_id: string;
  downlink_converter_id: string | null;
  allow_create_devices: BoolColumn;
  debug_json: string;
  metadata_json: string;
  config_json: string;
  retention_json: string | null;
  created_at: number;
  updated_at: number;
}

export const INTEGRATION_COLUMNS = 'id, name, type, enabled, uplink_converter_id, downlink_converter_id, allow_create_devices, '
  + 'debug_json, metadata_json, config_json, retention_json, created_at, updated_at';

/** `col = excluded.col` for every integration column but the id, for ON CONFLICT (id) DO UPDATE. */
export const INTEGRATION_UPDATE = `name = excluded.name, type = excluded.type, enabled = excluded.enabled,
  uplink_converter_id = excluded.uplink_converter_id, downlink_converter_id = excluded.downlink_converter_id,
  allow_create_devices = excluded.allow_create_devices, debug_json = excluded.debug_json,
  metadata_json = excluded.metadata_json, config_json = excluded.config_json, retention_json = excluded.retention_json,
  created_at = excluded.created_at, updated_at = excluded.updated_at`;

/** The integration's values in INTEGRATION_COLUMNS order; `bool` gives a boolean column's value. */
export function integrationValues<B extends BoolColumn>(c: IntegrationConfig, bool: (v: boolean) => B): Array<string | number | B | null> {
  return [c.id, c.name, c.type, bool(c.enabled), c.uplinkConverterId, c.downlinkConverterId ?? null, bool(c.allowCreateDevices),
    encodeJson(c.debug), encodeJson(c.metadata), encodeJson(c.config), c.retention === undefined ? null : encodeJson(c.retention), c.createdAt, c.updatedAt];
}

export function toIntegration(r: IntegrationRow): IntegrationConfig {
  return {
    id: r.id, name: r.name, type: r.type, enabled: fromBool(r.enabled), uplinkConverterId: r.uplink_converter_id,
    downlinkConverterId: r.downlink_converter_id, allowCreateDevices: fromBool(r.allow_create_devices),
    debug: decodeJson(r.debug_json), metadata: decodeJson(r.metadata_json), config: decodeJson(r.config_json),
    ...(r.retention_json === null ? {} : { retention: decodeJson<RetentionSettings>(r.retention_json) }),
    createdAt: r.created_at, updatedAt: r.updated_at,
  };
}

export interface ConverterRow {
  id: string;
  name: string;
  type: ConverterType;
  language: ConverterLanguage;
  script: string;
  limits_json: string | null;
  created_at: number;
  updated_at: number;
}

export const CONVERTER_COLUMNS = 'id, name, type, language, script, limits_json, created_at, updated_at';

/** `col = excluded.col` for every converter column but the id, for ON CONFLICT (id) DO UPDATE. */
export const CONVERTER_UPDATE = `name = excluded.name, type = excluded.type, language = excluded.language,
  script = excluded.script, limits_json = excluded.limits_json, created_at = excluded.created_at,
  updated_at = excluded.updated_at`;

/** The converter's values in CONVERTER_COLUMNS order. */
export function converterValues(c: ConverterConfig): Array<string | number | null> {
  return [c.id, c.name, c.type, c.language, c.script, c.limits === undefined ? null : encodeJson(c.limits), c.createdAt, c.updatedAt];
}

export function toConverter(r: ConverterRow): ConverterConfig {
  const c: ConverterConfig = {
    id: r.id, name: r.name, type: r.type, language: r.language, script: r.script, createdAt: r.created_at, updatedAt: r.updated_at,
  };
  if (r.limits_json !== null) c.limits = decodeJson(r.limits_json);
  return c;
}

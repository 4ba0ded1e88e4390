/**
 * Turns a converted batch into one store commit: records or dead letters per message, plus the
 * debug events the integration's debug settings ask for (bounded by a rate limit).
 */
import type { DebugSettings, UplinkMessage } from './model.ts';
import type { CommitCheckpoint } from './partitions.ts';
import { utf8OrNull } from './utf8.ts';
import type { WarningCode } from './warnings.ts';
import type { DebugEventInput, UplinkCommit, UplinkCommitItem, UplinkConversion, UplinkItemResult } from './ports.ts';

/** Max characters of payload or output kept in one debug event. */
export const DEBUG_BODY_MAX_CHARS = 4096;

export interface DebugPolicy {
  /** Current settings (read per batch so updates apply at once). */
  settings(): DebugSettings;
  /** Token bucket: returns how many of `wanted` events may be written now. */
  take(wanted: number, now: number): number;
  /** True at most once a minute: whether to record that debug events were dropped. */
  warnDropped(now: number): boolean;
}

/** A token bucket of `perSecond` debug events, refilled continuously. */
export function debugRateLimiter(settings: () => DebugSettings, perSecond = 100): DebugPolicy {
  let tokens = perSecond;
  let last = 0;
  let lastWarning = -Infinity;
  return {
    settings,
    warnDropped(now) {
      if (now - lastWarning < 60_000) return false;
      lastWarning = now;
      return true;
    },
    take(wanted, now) {
      tokens = Math.min(perSecond, tokens + ((now - last) / 1000) * perSecond);
      last = now;
      const granted = Math.min(wanted, Math.floor(tokens));
      tokens -= granted;
      return granted;
    },
  };
}

export function truncate(text: string, max = DEBUG_BODY_MAX_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

/** Payload for display: UTF-8 text when it decodes cleanly, else base64. */
export function payloadForDisplay(payload: Uint8Array): { messageType: 'TEXT' | 'BINARY'; message: string } {
  const text = utf8OrNull(payload);
  return text === null
    ? { messageType: 'BINARY', message: truncate(Buffer.from(payload).toString('base64')) }
    : { messageType: 'TEXT', message: truncate(text) };
}

function stringifyOutput(raw: unknown): string | undefined {
  if (raw === undefined) return undefined;
  try {
    return truncate(JSON.stringify(raw) ?? String(raw));
  } catch {
    return truncate(String(raw));
  }
}

export interface BuildCommitInput {
  integrationId: string;
  allowCreateDevices: boolean;
  messages: UplinkMessage[];
  conversions: UplinkConversion[];
  /** Partition positions the commit covers (at most one per partition). */
  checkpoints?: CommitCheckpoint[];
  /** Forwarders that carry the commit's data on (UplinkCommit.forward). */
  forward?: string[];
  debug: DebugPolicy | undefined;
  now: number;
}

export function buildCommit(input: BuildCommitInput): UplinkCommit {
  const { messages, conversions } = input;
  const items: UplinkCommitItem[] = messages.map((msg, i) => {
    const conv = conversions[i];
    const base = {
      sourceKey: msg.sourceKey, payload: msg.payload, metadata: msg.metadata,
      receivedAt: msg.receivedAt, ...(msg.dedupe ? { dedupe: msg.dedupe } : {}),
    };
    if (conv?.ok) return { ...base, outcome: { kind: 'records', records: conv.records } };
    const error = conv?.error;
    return {
      ...base,
      outcome: {
        kind: 'dead-letter',
        deadLetter: {
          stage: conv?.stage ?? 'convert',
          errorCode: error?.code ?? 'INTERNAL',
          error: error?.message ?? 'the converter returned no result for this message',
        },
      },
    };
  });
  const events = debugEvents(input);
  const checkpoints = input.checkpoints ?? [];
  const forward = input.forward ?? [];
  return {
    integrationId: input.integrationId, allowCreateDevices: input.allowCreateDevices, items,
    ...(events.length ? { events } : {}), ...(checkpoints.length ? { checkpoints } : {}), ...(forward.length ? { forward } : {}),
  };
}

function debugEvents(input: BuildCommitInput): DebugEventInput[] {
  if (!input.debug) return [];
  const settings = input.debug.settings();
  const all = settings.allUntil > input.now;
  if (!all && !settings.failures) return [];
  const wanted: number[] = [];
  input.conversions.forEach((c, i) => {
    if (all || !c.ok) wanted.push(i);
  });
  if (wanted.length === 0) return [];
  const granted = input.debug.take(wanted.length, input.now);
  const events: DebugEventInput[] = [];
  for (const i of wanted.slice(0, granted)) {
    const msg = input.messages[i];
    const conv = input.conversions[i];
    if (!msg || !conv) continue;
    const shown = payloadForDisplay(msg.payload);
    events.push({
      forItem: i,
      integrationId: input.integrationId,
      type: 'DEBUG_UPLINK',
      ts: input.now,
      body: {
        status: conv.ok ? 'OK' : 'ERROR',
        sourceKey: msg.sourceKey,
        messageType: shown.messageType,
        in: shown.message,
        metadata: msg.metadata,
        out: stringifyOutput(conv.raw),
        ...(conv.ok ? {} : { stage: conv.stage, errorCode: conv.error.code, error: conv.error.message }),
      },
    });
  }
  if (granted < wanted.length && input.debug.warnDropped(input.now)) {
    events.push({
      integrationId: input.integrationId, type: 'WARNING', ts: input.now,
      body: { code: 'DEBUG_RATE_LIMITED' satisfies WarningCode, message: `debug rate limit reached: some debug events are not recorded (${wanted.length - granted} in this batch; this warning repeats at most once a minute)` },
    });
  }
  return events;
}

/**
 * The commit's events as the store writes them once the items are decided: the body of an event
 * made for a message whose points replaced other messages' points gets `overwritten: <count>`.
 */
export function eventsWithResults(events: readonly DebugEventInput[] | undefined, results: readonly UplinkItemResult[]): DebugEventInput[] {
  if (!events) return [];
  return events.map((e) => {
    const r = e.forItem === undefined ? undefined : results[e.forItem];
    return r?.status === 'stored' && r.overwritten ? { ...e, body: { ...e.body, overwritten: r.overwritten } } : e;
  });
}

/**
 * Messages captured in an integration's debug events (DEBUG_UPLINK, DEBUG_CONVERTER), newest first;
 * "Use this message" fills the test input. The list reloads when the live status stream shows the
 * integration received something, so it never polls and never touches the test input.
 */
import { useEffect, useState } from 'react';
import { errorText, get } from '../api.ts';
import { useLiveStatuses } from '../integrations/live.ts';
import type { ConverterRef } from '../integrations/types.ts';
import type { DebugEvent, UplinkSample } from './types.ts';

const LIMIT = 20;

async function captured(integrationId: string): Promise<DebugEvent[]> {
  const q = `integration=${encodeURIComponent(integrationId)}&limit=${LIMIT}`;
  const [uplink, converter] = await Promise.all([
    get<DebugEvent[]>(`/events?${q}&type=DEBUG_UPLINK`), get<DebugEvent[]>(`/events?${q}&type=DEBUG_CONVERTER`),
  ]);
  return [...uplink, ...converter].filter((e) => typeof e.body.in === 'string').sort((a, b) => b.ts - a.ts).slice(0, LIMIT);
}

export function sampleOf(e: DebugEvent): UplinkSample {
  return {
    payload: e.body.in ?? '',
    encoding: e.body.messageType === 'BINARY' ? 'base64' : 'text',
    metadata: JSON.stringify(e.body.metadata ?? {}, null, 1),
  };
}

export function CapturedMessages({ users, onPick }: { users: ConverterRef[]; onPick: (s: UplinkSample) => void }) {
  const [integration, setIntegration] = useState(users[0]?.id ?? '');
  const [events, setEvents] = useState<DebugEvent[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const live = useLiveStatuses();
  const received = live.statuses.get(integration)?.status.counters.received ?? -1;

  useEffect(() => {
    if (!integration) return;
    let current = true;
    void captured(integration).then((list) => { if (current) { setEvents(list); setError(null); } }, (err: unknown) => { if (current) setError(errorText(err)); });
    return () => { current = false; };
  }, [integration, received]);

  if (users.length === 0) return <p className="hint">No integration uses this converter, so there are no captured messages: paste a payload below.</p>;
  return (
    <div className="captured">
      <div className="field inline">
        <label htmlFor="captured-integration">Captured messages of</label>
        <select id="captured-integration" value={integration} onChange={(e) => setIntegration(e.target.value)}>
          {users.map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}
        </select>
        <span className={`live ${live.connected ? 'on' : 'off'}`}>{live.connected ? 'Live' : ''}</span>
      </div>
      {error && <p className="error" role="alert">{error}</p>}
      {events === null ? <p>Loading…</p> : events.length === 0 ? (
        <p className="hint">No debug events with a message yet. Failed messages are recorded while the integration's “debug failures” is on (the default); turn on “debug all messages” in the integrations list to capture every message.</p>
      ) : (
        <ul className="captured-list" aria-label="Captured messages">
          {events.map((e) => (
            <li key={e.id} data-event={e.id}>
              <div className="captured-head">
                <span className={e.body.status === 'ERROR' ? 'error' : 'ok-text'}>{e.body.status ?? e.type}</span>
                <span>{new Date(e.ts).toLocaleString()}</span>
                <button type="button" onClick={() => onPick(sampleOf(e))}>Use this message</button>
              </div>
              <code className="payload">{e.body.messageType === 'BINARY' ? `base64 ${e.body.in}` : e.body.in}</code>
              {e.body.error && <div className="error">{e.body.errorCode}: {e.body.error}</div>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

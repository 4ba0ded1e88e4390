/**
 * Per-integration debug: record every message for N minutes (debug.allMinutes through PUT, as GET
 * returns the integration: secrets stay "***", which keeps them). Failures are always recorded.
 */
import { useState } from 'react';
import { api, errorText } from '../api.ts';
import { time } from './format.ts';
import type { IntegrationView } from './types.ts';

export function DebugToggle({ view, onChanged }: { view: IntegrationView; onChanged: () => Promise<void> }) {
  const [minutes, setMinutes] = useState(15);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const active = view.debug.allUntil > Date.now();
  const id = `debug-${view.id}`;

  const set = async (allMinutes: number): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      const path = `/integrations/${encodeURIComponent(view.id)}`;
      const current = await api<IntegrationView>('GET', path);
      await api('PUT', path, { ...current, debug: { failures: current.debug.failures, allMinutes } });
      await onChanged();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="debug">
      {active ? (
        <>
          <span>Debug: all messages until {time(view.debug.allUntil)}</span>
          <button type="button" disabled={busy} onClick={() => void set(0)}>Stop debug</button>
        </>
      ) : (
        <>
          <label htmlFor={id}>Debug all messages for</label>
          <input id={id} type="number" min={1} max={1440} value={minutes} onChange={(e) => setMinutes(Number(e.target.value))} />
          <span>min</span>
          <button type="button" disabled={busy || !(minutes >= 1 && minutes <= 1440)} onClick={() => void set(minutes)}>Start debug</button>
        </>
      )}
      {error && <p className="error" role="alert">{error}</p>}
    </div>
  );
}

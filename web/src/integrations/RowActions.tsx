/** An admin's actions on one integration: enable/disable, check connection, debug, delete (confirmed). */
import { useState } from 'react';
import { api, errorText } from '../api.ts';
import { CheckResults } from './CheckResults.tsx';
import { DebugToggle } from './DebugToggle.tsx';
import type { CheckResult, IntegrationView } from './types.ts';

export function RowActions({ view, onChanged }: { view: IntegrationView; onChanged: () => Promise<void> }) {
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [check, setCheck] = useState<CheckResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const path = `/integrations/${encodeURIComponent(view.id)}`;

  const run = async (action: () => Promise<unknown>): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await action();
      await onChanged();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  if (confirming) {
    return (
      <div className="actions" role="group" aria-label={`Delete ${view.name}?`}>
        <span>Delete “{view.name}”?</span>
        <button type="button" className="danger" disabled={busy} onClick={() => void run(async () => { await api('DELETE', path); setConfirming(false); })}>Yes, delete</button>
        <button type="button" onClick={() => setConfirming(false)} autoFocus>Cancel</button>
      </div>
    );
  }
  return (
    <div className="actions" role="group" aria-label={`Actions for ${view.name}`}>
      <button type="button" disabled={busy} onClick={() => void run(() => api('POST', `${path}/${view.enabled ? 'disable' : 'enable'}`))}>{view.enabled ? 'Disable' : 'Enable'}</button>
      <button type="button" disabled={busy} onClick={() => void run(async () => setCheck(await api<CheckResult>('POST', `${path}/check`)))}>Check connection</button>
      <DebugToggle view={view} onChanged={onChanged} />
      <button type="button" className="danger" disabled={busy} onClick={() => setConfirming(true)}>Delete</button>
      {error && <p className="error" role="alert">{error}</p>}
      {check && <CheckResults result={check} />}
    </div>
  );
}

/** An admin's actions on one forwarder: enable/disable (PUT with `enabled`), check connection, edit, delete (confirmed). */
import { useState } from 'react';
import { api } from '../api.ts';
import { CheckResults } from '../integrations/CheckResults.tsx';
import type { CheckResult } from '../integrations/types.ts';
import { useAction } from '../integrations/use-action.ts';
import { href } from '../route.ts';
import { bodyOf, formDataOf } from './form-schema.ts';
import type { ForwarderView } from './types.ts';

export function ForwarderActions({ view }: { view: ForwarderView }) {
  const { busy, error, run } = useAction();
  const [confirming, setConfirming] = useState(false);
  const [check, setCheck] = useState<CheckResult | null>(null);
  const path = `/forwarders/${encodeURIComponent(view.name)}`;

  if (confirming) {
    return (
      <div className="actions" role="group" aria-label={`Delete ${view.name}?`}>
        <span>Delete “{view.name}”? Its outbox rows stay until a forwarder of that name is created again.</span>
        <button type="button" className="danger" disabled={busy} onClick={() => void run(async () => { await api('DELETE', path); setConfirming(false); })}>Yes, delete</button>
        <button type="button" onClick={() => setConfirming(false)} autoFocus>Cancel</button>
        {error && <p className="error" role="alert">{error}</p>}
      </div>
    );
  }
  // What GET returned, sent back with `enabled` flipped: secrets as "***" keep their stored value.
  const toggle = (): Promise<unknown> => api('PUT', path, { ...bodyOf(formDataOf(view), view.type), enabled: !view.enabled });
  return (
    <div className="actions" role="group" aria-label={`Actions for ${view.name}`}>
      <button type="button" disabled={busy} onClick={() => void run(toggle)}>{view.enabled ? 'Disable' : 'Enable'}</button>
      <button type="button" disabled={busy} onClick={() => void run(async () => setCheck(await api<CheckResult>('POST', `${path}/check`)))}>Check connection</button>
      <a className="button" href={href.forwarder(view.name)}>Edit</a>
      <button type="button" className="danger" disabled={busy} onClick={() => setConfirming(true)}>Delete</button>
      {error && <p className="error" role="alert">{error}</p>}
      {check && <CheckResults result={check} />}
    </div>
  );
}

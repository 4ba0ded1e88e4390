/** An admin's actions on one integration: enable/disable, check connection, debug, delete (confirmed). */
import { useState } from 'react';
import { api } from '../api.ts';
import { ConfirmBar, confirmedDelete, useConfirm } from '../Confirm.tsx';
import { CheckResults } from './CheckResults.tsx';
import { DebugToggle } from './DebugToggle.tsx';
import type { CheckResult, IntegrationView } from './types.ts';
import { useAction } from './use-action.ts';

export function RowActions({ view, onChanged }: { view: IntegrationView; onChanged: () => Promise<void> }) {
  const { busy, error, run } = useAction(onChanged);
  const confirm = useConfirm();
  const deleteKey = `delete:${view.id}`;
  const [check, setCheck] = useState<CheckResult | null>(null);
  const path = `/integrations/${encodeURIComponent(view.id)}`;

  if (confirm.asking) {
    const remove = (): Promise<void> => confirmedDelete(confirm, () => api('DELETE', path));
    return (
      <ConfirmBar label={`Delete ${view.name}?`} yes="Yes, delete" busy={busy} onYes={() => void run(remove)} onCancel={confirm.cancel}>
        Delete “{view.name}”?
      </ConfirmBar>
    );
  }
  return (
    <div className="actions" role="group" aria-label={`Actions for ${view.name}`}>
      <button type="button" disabled={busy} onClick={() => void run(() => api('POST', `${path}/${view.enabled ? 'disable' : 'enable'}`))}>{view.enabled ? 'Disable' : 'Enable'}</button>
      <button type="button" disabled={busy} onClick={() => void run(async () => setCheck(await api<CheckResult>('POST', `${path}/check`)))}>Check connection</button>
      <DebugToggle view={view} onChanged={onChanged} />
      <button type="button" className="danger" disabled={busy} data-confirm={deleteKey} onClick={() => confirm.ask(deleteKey)}>Delete</button>
      {error && <p className="error" role="alert">{error}</p>}
      {check && <CheckResults result={check} />}
    </div>
  );
}

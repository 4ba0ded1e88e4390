/** An admin's actions on one forwarder: enable/disable (PUT with `enabled`), check connection, edit, delete (confirmed). */
import { useState } from 'react';
import { api } from '../api.ts';
import { ConfirmBar, confirmedDelete, useConfirm } from '../Confirm.tsx';
import { CheckResults } from '../integrations/CheckResults.tsx';
import type { CheckResult } from '../integrations/types.ts';
import { useAction } from '../integrations/use-action.ts';
import { href } from '../route.ts';
import { bodyOf, formDataOf } from './form-schema.ts';
import type { ForwarderView } from './types.ts';

export function ForwarderActions({ view }: { view: ForwarderView }) {
  const { busy, error, run } = useAction();
  const confirm = useConfirm();
  const deleteKey = `delete-forwarder:${view.name}`;
  const [check, setCheck] = useState<CheckResult | null>(null);
  const path = `/forwarders/${encodeURIComponent(view.name)}`;

  if (confirm.asking) {
    const remove = (): Promise<void> => confirmedDelete(confirm, () => api('DELETE', path));
    return (
      <ConfirmBar label={`Delete ${view.name}?`} yes="Yes, delete" busy={busy} onYes={() => void run(remove)} onCancel={confirm.cancel}>
        Delete “{view.name}”? Its outbox rows stay until a forwarder of that name is created again.
      </ConfirmBar>
    );
  }
  // What GET returned, sent back with `enabled` flipped: secrets as "***" keep their stored value.
  const toggle = (): Promise<unknown> => api('PUT', path, { ...bodyOf(formDataOf(view), view.type), enabled: !view.enabled });
  return (
    <div className="actions" role="group" aria-label={`Actions for ${view.name}`}>
      <button type="button" disabled={busy} onClick={() => void run(toggle)}>{view.enabled ? 'Disable' : 'Enable'}</button>
      <button type="button" disabled={busy} onClick={() => void run(async () => setCheck(await api<CheckResult>('POST', `${path}/check`)))}>Check connection</button>
      <a className="button" href={href.forwarder(view.name)}>Edit</a>
      <button type="button" className="danger" disabled={busy} data-confirm={deleteKey} onClick={() => confirm.ask(deleteKey)}>Delete</button>
      {error && <p className="error" role="alert">{error}</p>}
      {check && <CheckResults result={check} />}
    </div>
  );
}

/**
 * An admin's bulk actions on dead letters: replay or discard the selected letters, or all that
 * match the filter (at most 1000 per call: the outcome says how many more match). Discard asks first
 * (Escape cancels).
 */
import { useState } from 'react';
import { api, errorText } from '../api.ts';
import { ConfirmBar, useConfirm } from '../Confirm.tsx';
import type { BulkAnswer } from './types.ts';

interface Props {
  selected: string[];
  /** How many match the filter; null when the filter has no state (the API then takes the pending ones). */
  total: number | null;
  /** The filter as the bulk API takes it. */
  filter: Record<string, string | number>;
  onDone: (action: 'Replay' | 'Discard', answer: BulkAnswer) => void;
}

export function BulkActions({ selected, total, filter, onDone }: Props) {
  const [busy, setBusy] = useState(false);
  const confirm = useConfirm<'selected' | 'all'>();
  const [error, setError] = useState<string | null>(null);

  const run = async (action: 'Replay' | 'Discard', which: 'selected' | 'all'): Promise<void> => {
    setBusy(true);
    setError(null);
    confirm.close();
    try {
      const body = which === 'selected' ? { ids: selected } : filter;
      onDone(action, await api<BulkAnswer>('POST', `/dead-letters/${action === 'Replay' ? 'replay' : 'discard'}`, body));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const which = confirm.asking;
  if (which) {
    const what = which === 'selected' ? `${selected.length} selected` : total === null ? 'all pending matching' : `all ${total} matching`;
    return (
      <ConfirmBar className="bulk" label="Confirm discard" yes="Yes, discard" onYes={() => void run('Discard', which)} onCancel={confirm.cancel}>
        Discard {what} dead letters? They are kept, marked discarded.
      </ConfirmBar>
    );
  }
  return (
    <div className="bulk" role="group" aria-label="Bulk actions">
      <button type="button" disabled={busy || selected.length === 0} onClick={() => void run('Replay', 'selected')}>Replay selected ({selected.length})</button>
      <button type="button" className="danger" disabled={busy || selected.length === 0} data-confirm="selected" onClick={() => confirm.ask('selected')}>Discard selected ({selected.length})</button>
      <button type="button" className="primary" disabled={busy || total === 0} onClick={() => void run('Replay', 'all')}>{total === null ? 'Replay all pending matching' : `Replay all matching (${total})`}</button>
      <button type="button" className="danger" disabled={busy || total === 0} data-confirm="all" onClick={() => confirm.ask('all')}>{total === null ? 'Discard all pending matching' : `Discard all matching (${total})`}</button>
      {busy && <span role="status">Working…</span>}
      {error && <p className="error" role="alert">{error}</p>}
    </div>
  );
}

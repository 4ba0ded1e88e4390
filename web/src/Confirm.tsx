/**
 * "Are you sure?" in place of a destructive button: the question, the confirming button and Cancel
 * (focused first, so Enter does not destroy by accident). Escape cancels. After a cancel, focus goes
 * back to the button that asked (it carries `data-confirm={key}`), not to <body>.
 */
import { useEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { focusFirst } from './focus.ts';

export interface Confirming<K extends string = string> {
  /** What is being confirmed, or null. */
  asking: K | null;
  ask: (key: K) => void;
  /** Closes the question and focuses the button that asked. */
  cancel: () => void;
  /** Closes the question (the caller moves focus, e.g. when what was asked about is gone). */
  close: () => void;
}

export function useConfirm<K extends string = string>(): Confirming<K> {
  const [asking, setAsking] = useState<K | null>(null);
  const returnTo = useRef<K | null>(null);
  useEffect(() => {
    if (asking !== null || returnTo.current === null) return;
    focusFirst(`[data-confirm="${CSS.escape(returnTo.current)}"]`);
    returnTo.current = null;
  }, [asking]);
  return {
    asking,
    ask: setAsking,
    cancel: () => { returnTo.current = asking; setAsking(null); },
    close: () => setAsking(null),
  };
}

/**
 * Runs a confirmed deletion: on failure the question closes with focus back on the button that
 * asked (the caller shows the error); on success focus goes to the page heading, since what was
 * asked about is gone.
 */
export async function confirmedDelete(confirm: Confirming, remove: () => Promise<unknown>): Promise<void> {
  try {
    await remove();
  } catch (err) {
    confirm.cancel();
    throw err;
  }
  confirm.close();
  focusFirst();
}

interface Props {
  /** The group's accessible name, e.g. "Delete plant?". */
  label: string;
  children: ReactNode;
  yes: string;
  busy?: boolean;
  onYes: () => void;
  onCancel: () => void;
  className?: string;
}

export function ConfirmBar({ label, children, yes, busy = false, onYes, onCancel, className = 'actions' }: Props) {
  const escape = (e: KeyboardEvent): void => {
    if (e.key !== 'Escape') return;
    e.preventDefault();
    onCancel();
  };
  return (
    <div className={`confirm ${className}`} role="group" aria-label={label} onKeyDown={escape}>
      <span>{children}</span>
      <button type="button" className="danger" disabled={busy} onClick={onYes}>{yes}</button>
      <button type="button" onClick={onCancel} autoFocus>Cancel</button>
    </div>
  );
}

/**
 * An entry whose details expand: a button (aria-expanded, Enter or Space) holding the entry's
 * summary, and beside it what cannot sit inside a button (the integration's link).
 */
import { useId, useState, type ReactNode } from 'react';

export function Expandable({ summary, aside, children }: { summary: ReactNode; aside?: ReactNode; children: ReactNode }) {
  const [open, setOpen] = useState(false);
  const id = useId();
  return (
    <div className="expandable">
      <div className="entry-head">
        <button type="button" className="toggle" aria-expanded={open} aria-controls={id} onClick={() => setOpen(!open)}>{summary}</button>
        {aside}
      </div>
      <div id={id} className="entry-details" hidden={!open}>{children}</div>
    </div>
  );
}

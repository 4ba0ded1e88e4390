/**
 * Shows the flash message left by the previous page, if any, in a polite live region that is on the
 * page before the message is put in it, so screen readers announce it (e.g. "Saved “plant”.").
 */
import { useEffect, useState } from 'react';
import { takeFlash, type Flash } from './flash.ts';

export function Notice() {
  const [flash, setShown] = useState<Flash | null>(null);
  useEffect(() => { setShown(takeFlash()); }, []);
  return (
    <div role="status" aria-live="polite">
      {flash && (
        <div className="notice">
          {flash.text}
          {flash.warnings.map((w, i) => <p key={i} className="warning">Warning: {w}</p>)}
        </div>
      )}
    </div>
  );
}

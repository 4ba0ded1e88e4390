/** Shows the flash message left by the previous page, if any. */
import { useState } from 'react';
import { takeFlash } from './flash.ts';

export function Notice() {
  const [flash] = useState(takeFlash);
  if (!flash) return null;
  return (
    <div className="notice" role="status">
      {flash.text}
      {flash.warnings.map((w, i) => <p key={i} className="warning">Warning: {w}</p>)}
    </div>
  );
}

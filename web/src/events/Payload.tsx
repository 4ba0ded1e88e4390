/** A payload as JSON, text or hex (./payload.ts), with what it was shown as. */
import type { Shown } from './payload.ts';

export function Payload({ label, shown }: { label: string; shown: Shown }) {
  return (
    <figure className="payload">
      <figcaption>{label} <span className="kind">{shown.kind}</span></figcaption>
      <pre tabIndex={0} data-kind={shown.kind}>{shown.content}</pre>
    </figure>
  );
}

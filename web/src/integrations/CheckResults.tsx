/** The result of a connection check, one line per check. */
import type { CheckResult } from './types.ts';

export function CheckResults({ result }: { result: CheckResult }) {
  return (
    <div className={`check ${result.ok ? 'ok' : 'failed'}`} role="status" aria-label="Connection check">
      <strong>{result.ok ? 'Connection OK' : 'Connection failed'}</strong>
      <ul>
        {result.checks.map((c, i) => <li key={i} className={c.ok ? 'ok' : 'failed'}><span aria-hidden="true">{c.ok ? '✓' : '✗'}</span> <b>{c.name}</b>: {c.message}</li>)}
      </ul>
      {result.error && <p className="error">{result.error.code}: {result.error.message}</p>}
    </div>
  );
}

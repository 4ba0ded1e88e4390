/** The outcome of a bulk replay or discard, per letter; focused when it arrives (the buttons may be gone). */
import { useEffect, useRef } from 'react';
import { IntegrationLink } from './IntegrationLink.tsx';
import type { IntegrationName } from './common.ts';
import type { Outcome } from './types.ts';

export interface BulkReport {
  action: 'Replay' | 'Discard';
  results: Outcome[];
  remaining: number;
}

const LABEL: Record<Outcome['status'], string> = {
  stored: 'stored', duplicate: 'duplicate (stored before)', requeued: 'requeued to the forwarder', 'dead-lettered': 'dead-lettered again',
  failed: 'failed', discarded: 'discarded',
};

export function Outcomes({ report, integrations }: { report: BulkReport; integrations: IntegrationName[] }) {
  const ok = report.results.filter((r) => r.ok).length;
  const box = useRef<HTMLElement>(null);
  useEffect(() => { box.current?.focus(); }, [report]);
  return (
    <section className="outcomes" role="status" aria-label="Bulk outcome" ref={box} tabIndex={-1}>
      <h3>{report.action}: {ok} of {report.results.length} succeeded{report.remaining > 0 ? `; ${report.remaining} more match the filter (run again)` : ''}</h3>
      {report.results.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead><tr><th scope="col">Dead letter</th><th scope="col">Integration</th><th scope="col">Outcome</th><th scope="col">Error</th></tr></thead>
            <tbody>
              {report.results.map((r) => (
                <tr key={r.id} data-outcome={r.id}>
                  <td><code>{r.id.slice(0, 8)}</code></td>
                  <td>{r.integrationId ? <IntegrationLink id={r.integrationId} integrations={integrations} /> : '—'}</td>
                  <td className={r.ok ? 'ok' : 'error'} data-field="outcome">{LABEL[r.status]}</td>
                  <td>{r.error ? `${r.error.code}: ${r.error.message}` : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

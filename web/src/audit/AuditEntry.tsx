/**
 * One audit entry: when, who (actor and source), what (action, kind, name); below, the fields
 * that changed with their value before and after (highlighted), and on request every field. A
 * creation or deletion has no before or after to compare: its fields are shown on request.
 */
import { useState } from 'react';
import { timeOf } from '../events/common.ts';
import { fieldRows, valueText } from './diff.ts';
import type { AuditItem } from './types.ts';

const SOURCES: Record<AuditItem['source'], string> = { api: 'API', cli: 'command line', 'config-file': 'config file' };

function Value({ v, path }: { v: unknown; path: string }) {
  const text = valueText(v, path);
  if (text === '***') return <span className="secret" title="A secret: never shown">*** <span className="hint">(secret)</span></span>;
  return text.includes('\n') ? <pre>{text}</pre> : <code>{text}</code>;
}

export function AuditEntry({ entry }: { entry: AuditItem }) {
  const [all, setAll] = useState(false);
  const compared = entry.before !== null && entry.after !== null;
  const rows = fieldRows(entry.before, entry.after).map((r) => ({ ...r, changed: compared && r.changed }));
  const changed = rows.filter((r) => r.changed);
  const shown = all ? rows : changed;
  const count = compared ? `${changed.length} field${changed.length === 1 ? '' : 's'} changed` : `${rows.length} fields`;
  return (
    <li className="entry audit-entry" data-audit={entry.id} data-entity={entry.entityName ?? entry.entityId}>
      <div className="audit-head">
        <time dateTime={new Date(entry.ts).toISOString()}>{timeOf(entry.ts)}</time>
        <span data-field="actor"><b>{entry.actor}</b> <span className="hint">({SOURCES[entry.source]})</span></span>
        <span className={`action action-${entry.action}`} data-field="action">{entry.action}</span>
        <span data-field="entity">{entry.entityKind} <b>{entry.entityName ?? entry.entityId}</b></span>
        <span className="hint" data-field="count">{count}</span>
      </div>
      {shown.length > 0 && (
        <div className="table-wrap">
          <table className="audit-diff" aria-label={`Before and after: ${entry.action} ${entry.entityKind} ${entry.entityName ?? entry.entityId}`}>
            <thead><tr><th scope="col">Field</th><th scope="col">Before</th><th scope="col">After</th></tr></thead>
            <tbody>
              {shown.map((r) => (
                <tr key={r.path} className={r.changed ? 'changed' : undefined} data-path={r.path}>
                  <th scope="row">{r.path}{r.changed && <span className="changed-mark"> (changed)</span>}</th>
                  <td data-field="before"><Value v={r.before} path={r.path} /></td>
                  <td data-field="after"><Value v={r.after} path={r.path} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {rows.length > changed.length && (
        <button type="button" className="link" aria-expanded={all} onClick={() => setAll(!all)}>
          {all ? (compared ? 'Show changed fields only' : 'Hide the fields') : `Show all ${rows.length} fields`}
        </button>
      )}
    </li>
  );
}

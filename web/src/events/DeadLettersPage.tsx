/**
 * Dead letters filtered by integration, stage, error code, state and time, paged; admins select
 * letters (or take all matching the filter) to replay or discard in bulk and see each outcome.
 */
import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import { errorText, get } from '../api.ts';
import type { Role } from '../session.ts';
import { BulkActions } from './BulkActions.tsx';
import { msOfLocal, query, useIntegrations } from './common.ts';
import { IntegrationSelect, TimeRange } from './FilterFields.tsx';
import { DeadLetterEntry } from './DeadLetterEntry.tsx';
import { Outcomes, type BulkReport } from './Outcomes.tsx';
import type { BulkAnswer, DeadLetterItem } from './types.ts';

const PAGE = 25;
const STAGES = ['convert', 'validate', 'provision', 'quarantine', 'forward'];

interface Filter {
  integration: string;
  stage: string;
  errorCode: string;
  state: string;
  from: string;
  to: string;
}

export function DeadLettersPage({ role, integration, stage = '' }: { role: Role; integration: string; stage?: string }) {
  const integrations = useIntegrations();
  const [draft, setDraft] = useState<Filter>({ integration, stage, errorCode: '', state: 'pending', from: '', to: '' });
  const [filter, setFilter] = useState<Filter>(draft);
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<{ total: number; items: DeadLetterItem[] } | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [report, setReport] = useState<BulkReport | null>(null);
  const [error, setError] = useState<string | null>(null);

  const apiFilter = useMemo(() => {
    const f: Record<string, string | number> = {};
    for (const k of ['integration', 'stage', 'errorCode', 'state'] as const) if (filter[k]) f[k] = filter[k].trim();
    const from = msOfLocal(filter.from);
    const to = msOfLocal(filter.to);
    if (from !== undefined) f.from = from;
    if (to !== undefined) f.to = to;
    return f;
  }, [filter]);

  const load = useCallback(async () => {
    try {
      setPage(await get<{ total: number; items: DeadLetterItem[] }>(`/dead-letters${query({ ...apiFilter, limit: PAGE, offset })}`));
      setError(null);
    } catch (err) {
      setError(errorText(err));
    }
  }, [apiFilter, offset]);
  useEffect(() => { void load(); }, [load]);

  const apply = (e: FormEvent): void => {
    e.preventDefault();
    setFilter(draft);
    setOffset(0);
    setSelected(new Set());
  };
  const select = (id: string, on: boolean): void => setSelected((prev) => {
    const next = new Set(prev);
    if (on) next.add(id);
    else next.delete(id);
    return next;
  });
  const done = (action: 'Replay' | 'Discard', answer: BulkAnswer): void => {
    setReport({ action, results: answer.results, remaining: answer.remaining });
    setSelected(new Set());
    void load();
  };

  const admin = role === 'admin';
  const items = page?.items ?? [];
  const allOnPage = items.length > 0 && items.every((d) => selected.has(d.id));
  return (
    <section aria-labelledby="dead-letters-title">
      <div className="page-head"><h2 id="dead-letters-title">Dead letters</h2></div>
      <form className="filters" onSubmit={apply} aria-label="Dead-letter filters">
        <IntegrationSelect value={draft.integration} integrations={integrations} onChange={(integration) => setDraft({ ...draft, integration })} />
        <label>Stage
          <select value={draft.stage} onChange={(e) => setDraft({ ...draft, stage: e.target.value })}>
            <option value="">all</option>
            {STAGES.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </label>
        <label>Error code <input value={draft.errorCode} onChange={(e) => setDraft({ ...draft, errorCode: e.target.value })} placeholder="e.g. CONVERTER_RUNTIME" /></label>
        <label>State
          <select value={draft.state} onChange={(e) => setDraft({ ...draft, state: e.target.value })}>
            <option value="">all</option><option value="pending">pending</option><option value="replayed">replayed</option><option value="discarded">discarded</option>
          </select>
        </label>
        <TimeRange value={draft} onChange={(r) => setDraft({ ...draft, ...r })} />
        <button type="submit" className="primary">Show dead letters</button>
        <button type="button" onClick={() => void load()}>Refresh</button>
      </form>
      {error && <p className="error" role="alert">{error}</p>}
      {admin && page && <BulkActions selected={[...selected]} total={apiFilter.state ? page.total : null} filter={apiFilter} onDone={done} />}
      {report && <Outcomes report={report} integrations={integrations} />}
      {page === null ? <p>Loading…</p> : (
        <>
          <p className="hint" role="status" aria-label="Matching dead letters">
            {page.total === 0 ? 'No dead letters match.' : `${offset + 1}–${offset + items.length} of ${page.total}`}
          </p>
          {admin && items.length > 0 && (
            <label className="check-label"><input type="checkbox" checked={allOnPage}
              onChange={(e) => { for (const d of items) select(d.id, e.target.checked); }} />Select all on this page</label>
          )}
          {items.length > 0 && (
            <ol className="entries" aria-label="Dead letters, newest first">
              {items.map((d) => admin
                ? <DeadLetterEntry key={d.id} letter={d} integrations={integrations} selected={selected.has(d.id)} onSelect={select} />
                : <DeadLetterEntry key={d.id} letter={d} integrations={integrations} />)}
            </ol>
          )}
          <div className="pager">
            <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>Previous</button>
            <button type="button" disabled={offset + PAGE >= page.total} onClick={() => setOffset(offset + PAGE)}>Next</button>
          </div>
        </>
      )}
    </section>
  );
}

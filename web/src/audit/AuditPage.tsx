/**
 * The audit log (admins only, like Tokens): who changed what and when, newest first, filtered by
 * entity kind, action, actor, entity and time range, 25 a page (paged back with before=<id>).
 */
import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import { errorText, get } from '../api.ts';
import { msOfLocal, query } from '../events/common.ts';
import { TimeRange } from '../events/FilterFields.tsx';
import type { Role } from '../session.ts';
import { AuditEntry } from './AuditEntry.tsx';
import { AUDIT_ACTIONS, AUDIT_KINDS, type AuditItem } from './types.ts';

const PAGE = 25;

interface Filter {
  kind: string;
  action: string;
  actor: string;
  entity: string;
  from: string;
  to: string;
}

const EMPTY: Filter = { kind: '', action: '', actor: '', entity: '', from: '', to: '' };

/** Token names, `cli` and `config-file`: suggestions for the actor filter. */
function useActors(): string[] {
  const [names, setNames] = useState<string[]>([]);
  useEffect(() => {
    get<Array<{ name: string }>>('/tokens').then((tokens) => setNames([...new Set(tokens.map((t) => t.name))]), () => setNames([]));
  }, []);
  return [...names, 'cli', 'config-file'];
}

function Filters({ draft, setDraft, apply }: { draft: Filter; setDraft: (f: Filter) => void; apply: (e: FormEvent) => void }) {
  const actors = useActors();
  return (
    <form className="filters" onSubmit={apply} aria-label="Audit filters">
      <label>Entity kind
        <select value={draft.kind} onChange={(e) => setDraft({ ...draft, kind: e.target.value })}>
          <option value="">all</option>
          {AUDIT_KINDS.map((k) => <option key={k} value={k}>{k}</option>)}
        </select>
      </label>
      <label>Action
        <select value={draft.action} onChange={(e) => setDraft({ ...draft, action: e.target.value })}>
          <option value="">all</option>
          {AUDIT_ACTIONS.map((a) => <option key={a} value={a}>{a}</option>)}
        </select>
      </label>
      <label>Actor <input list="audit-actors" value={draft.actor} onChange={(e) => setDraft({ ...draft, actor: e.target.value })} placeholder="a token name, cli" /></label>
      <datalist id="audit-actors">{actors.map((a) => <option key={a} value={a} />)}</datalist>
      <label>Entity <input value={draft.entity} onChange={(e) => setDraft({ ...draft, entity: e.target.value })} placeholder="name or id" /></label>
      <TimeRange value={draft} onChange={(r) => setDraft({ ...draft, ...r })} />
      <button type="submit" className="primary">Show entries</button>
      <button type="button" onClick={() => setDraft(EMPTY)}>Clear</button>
    </form>
  );
}

export function AuditPage({ role }: { role: Role }) {
  const [draft, setDraft] = useState<Filter>(EMPTY);
  const [filter, setFilter] = useState<Filter>(EMPTY);
  /** The `before` anchors of the pages shown so far: the last is this page's (none: the newest). */
  const [anchors, setAnchors] = useState<string[]>([]);
  const [page, setPage] = useState<{ items: AuditItem[]; more: boolean } | null>(null);
  const [error, setError] = useState<string | null>(null);

  const params = useMemo(() => ({
    kind: filter.kind, action: filter.action, actor: filter.actor.trim(), entity: filter.entity.trim(),
    from: msOfLocal(filter.from), to: msOfLocal(filter.to),
  }), [filter]);
  const before = anchors.at(-1);
  const load = useCallback(async () => {
    try {
      const items = await get<AuditItem[]>(`/audit${query({ ...params, before, limit: PAGE + 1 })}`);
      setPage({ items: items.slice(0, PAGE), more: items.length > PAGE });
      setError(null);
    } catch (err) {
      setError(errorText(err));
    }
  }, [params, before]);
  useEffect(() => { if (role === 'admin') void load(); }, [load, role]);

  if (role !== 'admin') return <section><h2>Audit log</h2><p>Only an admin token may read the audit log.</p></section>;

  const apply = (e: FormEvent): void => {
    e.preventDefault();
    setFilter(draft);
    setAnchors([]);
  };
  const items = page?.items ?? [];
  const first = anchors.length * PAGE;
  return (
    <section aria-labelledby="audit-title">
      <div className="page-head"><h2 id="audit-title">Audit log</h2></div>
      <p className="hint">Every change to integrations, converters, forwarders and tokens, and every dead-letter replay or discard: who, what, when, and the object before and after (secrets as ***).</p>
      <Filters draft={draft} setDraft={setDraft} apply={apply} />
      {error && <p className="error" role="alert">{error}</p>}
      {page === null ? <p>Loading…</p> : (
        <>
          <p className="hint" role="status" aria-label="Audit entries shown">
            {items.length === 0 ? 'No entries match.' : `Entries ${first + 1}–${first + items.length}${page.more ? ', more older' : ''}`}
          </p>
          {items.length > 0 && (
            <ol className="entries" aria-label="Audit entries, newest first">
              {items.map((e) => <AuditEntry key={e.id} entry={e} />)}
            </ol>
          )}
          <div className="pager">
            <button type="button" disabled={anchors.length === 0} onClick={() => setAnchors(anchors.slice(0, -1))}>Newer</button>
            <button type="button" disabled={!page.more} onClick={() => { const last = items.at(-1); if (last) setAnchors([...anchors, last.id]); }}>Older</button>
            <button type="button" onClick={() => void load()}>Refresh</button>
          </div>
        </>
      )}
    </section>
  );
}

/**
 * Events filtered by integration, type and time range, newest first, paged ("Load older"); new
 * events arrive live and wait behind an "N new events" button, so nothing the user reads or
 * expanded moves or closes. The button is announced politely; taking the new events focuses the newest.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { errorText, get } from '../api.ts';
import { focusFirst } from '../focus.ts';
import { msOfLocal, query, useIntegrations } from './common.ts';
import { IntegrationSelect, TimeRange } from './FilterFields.tsx';
import { EventEntry } from './EventEntry.tsx';
import { useLiveEvents } from './live-events.ts';
import { EVENT_TYPES, TYPE_LABELS, type EventItem, type EventType } from './types.ts';

const PAGE = 50;

interface Filter {
  integration: string;
  types: EventType[];
  from: string;
  to: string;
}

export function EventsPage({ integration }: { integration: string }) {
  const integrations = useIntegrations();
  const [draft, setDraft] = useState<Filter>({ integration, types: [], from: '', to: '' });
  const [filter, setFilter] = useState<Filter>(draft);
  const [items, setItems] = useState<EventItem[] | null>(null);
  const [more, setMore] = useState(false);
  const [liveFrom, setLiveFrom] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);

  const base = useMemo(() => ({ integration: filter.integration, type: filter.types.join(',') }), [filter]);
  const to = msOfLocal(filter.to);
  const load = useCallback(async (before?: string) => {
    try {
      const page = await get<EventItem[]>(`/events${query({ ...base, from: msOfLocal(filter.from), to, before, limit: PAGE })}`);
      setItems((prev) => (before ? [...(prev ?? []), ...page] : page));
      setMore(page.length === PAGE);
      if (!before) setLiveFrom(to === undefined ? (page[0]?.ts ?? 0) : null);
      setError(null);
    } catch (err) {
      setError(errorText(err));
    }
  }, [base, filter.from, to]);
  useEffect(() => { void load(); }, [load]);

  const live = useLiveEvents(query(base), liveFrom);
  const shownIds = useMemo(() => new Set((items ?? []).map((e) => e.id)), [items]);
  const fresh = live.fresh.filter((e) => !shownIds.has(e.id));
  const focusNewest = useRef(false);
  const showFresh = (): void => {
    const taken = live.take().filter((e) => !shownIds.has(e.id)).reverse();
    focusNewest.current = true;
    setItems((prev) => [...taken, ...(prev ?? [])]);
  };
  useEffect(() => {
    if (!focusNewest.current) return;
    focusNewest.current = false;
    focusFirst('.entries .toggle');
  }, [items]);

  const apply = (e: FormEvent): void => {
    e.preventDefault();
    setFilter(draft);
  };
  const toggleType = (t: EventType): void =>
    setDraft((d) => ({ ...d, types: d.types.includes(t) ? d.types.filter((x) => x !== t) : [...d.types, t] }));

  return (
    <section aria-labelledby="events-title">
      <div className="page-head">
        <h2 id="events-title">Events</h2>
        {liveFrom !== null && <span className={`live ${live.connected ? 'on' : 'off'}`} role="status">{live.connected ? 'Live' : 'Connecting to live events…'}</span>}
      </div>
      <form className="filters" onSubmit={apply} aria-label="Event filters">
        <IntegrationSelect value={draft.integration} integrations={integrations} onChange={(integration) => setDraft({ ...draft, integration })} />
        <fieldset className="types">
          <legend>Types (none: all)</legend>
          {EVENT_TYPES.map((t) => (
            <label key={t} className="check-label"><input type="checkbox" checked={draft.types.includes(t)} onChange={() => toggleType(t)} />{TYPE_LABELS[t]}</label>
          ))}
        </fieldset>
        <TimeRange value={draft} onChange={(r) => setDraft({ ...draft, ...r })} />
        <button type="submit" className="primary">Show events</button>
      </form>
      {error && <p className="error" role="alert">{error}</p>}
      <div aria-live="polite">
        {fresh.length > 0 && <button type="button" className="fresh" onClick={showFresh}>{fresh.length} new event{fresh.length === 1 ? '' : 's'}</button>}
      </div>
      {items === null ? <p>Loading…</p> : items.length === 0 ? <p>No events match.</p> : (
        <ol className="entries" aria-label="Events, newest first">
          {items.map((e) => <EventEntry key={e.id} event={e} integrations={integrations} />)}
        </ol>
      )}
      {more && items && <button type="button" onClick={() => void load(items.at(-1)?.id)}>Load older events</button>}
    </section>
  );
}

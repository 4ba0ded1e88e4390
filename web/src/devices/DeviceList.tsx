/** The devices list: search by name, filter by type, paged. */
import { useEffect, useState } from 'react';
import { errorText, get } from '../api.ts';
import { href } from '../route.ts';
import type { Device, DevicePage } from './types.ts';

const PAGE = 20;

export function DeviceList() {
  const [search, setSearch] = useState('');
  const [type, setType] = useState('');
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<DevicePage | null>(null);
  const [types, setTypes] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    const q = new URLSearchParams({ limit: String(PAGE), offset: String(offset) });
    if (search.trim()) q.set('search', search.trim());
    if (type) q.set('type', type);
    get<DevicePage>(`/devices?${q}`).then((p) => {
      if (!current) return;
      setPage(p);
      setError(null);
      setTypes((known) => [...new Set([...known, ...p.items.map((d: Device) => d.type)])].sort());
    }, (err: unknown) => { if (current) setError(errorText(err)); });
    return () => { current = false; };
  }, [search, type, offset]);

  const last = page ? Math.min(offset + PAGE, page.total) : 0;
  return (
    <section aria-labelledby="devices-title">
      <div className="page-head"><h2 id="devices-title">Devices</h2></div>
      <form className="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>Search by name <input type="search" value={search} onChange={(e) => { setSearch(e.target.value); setOffset(0); }} /></label>
        <label>Type <select value={type} onChange={(e) => { setType(e.target.value); setOffset(0); }}>
          <option value="">All types</option>
          {types.map((t) => <option key={t} value={t}>{t}</option>)}
        </select></label>
      </form>
      {error && <p className="error" role="alert">{error}</p>}
      {page === null ? <p>Loading…</p> : page.total === 0 ? <p>No devices{search || type ? ' match' : ' yet: they appear when an integration stores their first message'}.</p> : (
        <>
          <div className="table-wrap">
            <table className="devices">
              <thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Label</th><th scope="col">Created</th></tr></thead>
              <tbody>
                {page.items.map((d) => (
                  <tr key={d.id} data-device={d.name}>
                    <th scope="row"><a href={href.device(d.name)}>{d.name}</a></th>
                    <td data-field="type">{d.type}</td>
                    <td data-field="label">{d.label ?? '—'}</td>
                    <td data-field="created">{new Date(d.createdAt).toLocaleString()}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav className="pager" aria-label="Pages">
            <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>Previous</button>
            <span role="status">{offset + 1}–{last} of {page.total}</span>
            <button type="button" disabled={last >= page.total} onClick={() => setOffset(offset + PAGE)}>Next</button>
          </nav>
        </>
      )}
    </section>
  );
}

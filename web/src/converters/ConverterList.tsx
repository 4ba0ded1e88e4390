/** The converters list: name, type, language, the integrations that use it. */
import { useEffect, useState } from 'react';
import { errorText, get } from '../api.ts';
import { Notice } from '../Notice.tsx';
import { href } from '../route.ts';
import type { Role } from '../session.ts';
import type { ConverterRef } from '../integrations/types.ts';
import type { ConverterView } from './types.ts';
import { usersByConverter } from './usage.ts';

export function ConverterList({ role }: { role: Role }) {
  const [list, setList] = useState<ConverterView[] | null>(null);
  const [users, setUsers] = useState<Map<string, ConverterRef[]>>(new Map());
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    void (async () => {
      try {
        const [converters, byConverter] = await Promise.all([get<ConverterView[]>('/converters'), usersByConverter()]);
        setList(converters);
        setUsers(byConverter);
      } catch (err) {
        setError(errorText(err));
      }
    })();
  }, []);

  return (
    <section aria-labelledby="converters-title">
      <div className="page-head">
        <h2 id="converters-title">Converters</h2>
        {role === 'admin' && <a className="button primary" href={href.newConverter}>New converter</a>}
      </div>
      <Notice />
      {error && <p className="error" role="alert">{error}</p>}
      {list === null ? <p>Loading…</p> : list.length === 0 ? <p>No converters yet.{role === 'admin' && ' Create one with “New converter”.'}</p> : (
        <div className="table-wrap">
          <table className="converters">
            <thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Language</th><th scope="col">Used by</th><th scope="col">Updated</th></tr></thead>
            <tbody>
              {list.map((c) => (
                <tr key={c.id} data-converter={c.name}>
                  <th scope="row"><a href={href.converter(c.id)}>{c.name}</a></th>
                  <td data-field="type">{c.type}</td>
                  <td data-field="language">{c.language === 'jsonata' ? 'JSONata' : 'JavaScript'}</td>
                  <td data-field="usedBy">{(users.get(c.id) ?? []).map((u, i) => <span key={u.id}>{i > 0 && ', '}<a href={href.integration(u.id)}>{u.name}</a></span>)}{(users.get(c.id) ?? []).length === 0 && '—'}</td>
                  <td data-field="updated">{new Date(c.updatedAt).toLocaleString()}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

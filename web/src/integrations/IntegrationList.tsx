/** The integrations list: live state, counters, lag, last message and error; actions for admins. */
import { useCallback, useEffect, useState } from 'react';
import { errorText, get } from '../api.ts';
import { Notice } from '../Notice.tsx';
import { href } from '../route.ts';
import type { Role } from '../session.ts';
import { duration, lagOf, stateLabel, time } from './format.ts';
import { useLiveStatuses } from './live.ts';
import { RowActions } from './RowActions.tsx';
import type { IntegrationView } from './types.ts';

export function IntegrationList({ role }: { role: Role }) {
  const [views, setViews] = useState<IntegrationView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const live = useLiveStatuses();

  const reload = useCallback(async () => {
    try {
      setViews(await get<IntegrationView[]>('/integrations'));
      setError(null);
    } catch (err) {
      setError(errorText(err));
    }
  }, []);
  useEffect(() => { void reload(); }, [reload, live.membership]);

  return (
    <section aria-labelledby="integrations-title">
      <div className="page-head">
        <h2 id="integrations-title">Integrations</h2>
        <span className={`live ${live.connected ? 'on' : 'off'}`} role="status">{live.connected ? 'Live' : 'Connecting to live status…'}</span>
        {role === 'admin' && <a className="button primary" href={href.newIntegration}>New integration</a>}
      </div>
      <Notice />
      {error && <p className="error" role="alert">{error}</p>}
      {views === null ? <p>Loading…</p> : views.length === 0 ? <p>No integrations yet.{role === 'admin' && ' Create one with “New integration”.'}</p> : (
        <div className="table-wrap">
          <table className="integrations">
            <thead>
              <tr>
                <th scope="col">Name</th><th scope="col">Type</th><th scope="col">State</th>
                <th scope="col">Received</th><th scope="col">Stored</th><th scope="col">Dead-lettered</th><th scope="col">Errors</th>
                <th scope="col">Lag</th><th scope="col">Last message</th><th scope="col">Last error</th>
                {role === 'admin' && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {views.map((v) => {
                const l = live.statuses.get(v.id);
                const status = l?.status ?? v.status;
                const enabled = l?.enabled ?? v.enabled;
                const state = stateLabel(status, enabled);
                const c = status?.counters;
                const err = status?.lastError;
                return (
                  <tr key={v.id} data-integration={v.name}>
                    <th scope="row"><a href={href.integration(v.id)}>{v.name}</a></th>
                    <td>{v.type}</td>
                    <td><span className={`state state-${state}`} data-field="state">{state}</span></td>
                    <td className="num" data-field="received">{c?.received ?? 0}</td>
                    <td className="num" data-field="stored">{c?.stored ?? 0}</td>
                    <td className="num" data-field="deadLettered">{c?.deadLettered ?? 0}</td>
                    <td className="num" data-field="errors">{c?.errors ?? 0}</td>
                    <td data-field="lag">{duration(lagOf(status))}</td>
                    <td data-field="lastMessage">{time(status?.lastMessageAt)}</td>
                    <td className={err && !err.resolvedAt ? 'error' : ''}>
                      {err ? <>{err.code}: {err.message}{err.resolvedAt ? ` (resolved ${time(err.resolvedAt)})` : ''}{!err.resolvedAt && err.fix && <div className="fix">Fix: {err.fix}</div>}</> : '—'}
                    </td>
                    {role === 'admin' && <td><RowActions view={{ ...v, enabled }} onChanged={reload} /></td>}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

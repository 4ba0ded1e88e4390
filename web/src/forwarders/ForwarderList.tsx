/**
 * The forwarders: state, outbox (depth, lag, oldest row), counters and last error with its fix,
 * live from GET /stream/forwarders; actions for admins; a link to the `forward` dead letters.
 */
import { useEffect, useState } from 'react';
import { errorText, get } from '../api.ts';
import { Notice } from '../Notice.tsx';
import { duration, time } from '../integrations/format.ts';
import { href } from '../route.ts';
import type { Role } from '../session.ts';
import { ForwarderActions } from './ForwarderActions.tsx';
import { useLiveForwarders } from './live.ts';
import type { ForwarderStatus, ForwarderView } from './types.ts';

/** The state, with the instance that holds the connection while this one is on standby. */
function stateText(status: ForwarderStatus): string {
  if (status.state === 'standby') return status.details?.holder ? `standby (held by ${status.details.holder})` : 'standby';
  return status.state;
}

function Row({ f, admin }: { f: ForwarderView; admin: boolean }) {
  const s = f.status;
  const n = (key: string): number => s.counters[key] ?? 0;
  const err = s.lastError;
  return (
    <tr data-forwarder={f.name}>
      <th scope="row"><a href={href.forwarder(f.name)}>{f.name}</a><div className="hint">{f.type}</div></th>
      <td data-label="Integrations">{f.integrations === 'all' ? 'all' : f.integrations.join(', ')}</td>
      <td data-label="State"><span className={`state state-${s.state}`} data-field="state">{stateText(s)}</span><div className="hint">since {time(s.since)}</div></td>
      <td data-label="Outbox">
        <span className="num" data-field="outboxDepth">{s.outbox.depth}</span> rows waiting
        <div className="hint">lag <span data-field="lag">{duration(s.outbox.lagMs)}</span>, oldest <span data-field="oldestAt">{time(s.outbox.oldestAt)}</span></div>
      </td>
      <td data-label="Delivered"><span data-field="deliveredPoints">{n('deliveredPoints')}</span> points<div className="hint"><span data-field="deliveredRows">{n('deliveredRows')}</span> rows</div></td>
      <td data-label="Rejected" className="num" data-field="rejected">{n('rejected')}</td>
      <td data-label="From the platform">
        <span data-field="rpcReceived">{n('rpcReceived')}</span> RPCs<div className="hint"><span data-field="attributeUpdates">{n('attributeUpdates')}</span> attribute updates</div>
      </td>
      <td data-label="Last error" className={err ? 'error' : ''} data-field="lastError">
        {err ? <>{err.code}: {err.message}{err.fix && <div className="fix">Fix: {err.fix}</div>}</> : '—'}
      </td>
      {admin && <td><ForwarderActions view={f} /></td>}
    </tr>
  );
}

export function ForwarderList({ role }: { role: Role }) {
  const live = useLiveForwarders();
  const [fetched, setFetched] = useState<ForwarderView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    get<ForwarderView[]>('/forwarders').then(setFetched, (err: unknown) => setError(errorText(err)));
  }, []);
  const forwarders = live.forwarders ? [...live.forwarders.values()] : fetched;
  const admin = role === 'admin';

  return (
    <section aria-labelledby="forwarders-title">
      <div className="page-head">
        <h2 id="forwarders-title">Forwarders</h2>
        <span className={`live ${live.connected ? 'on' : 'off'}`} role="status">{live.connected ? 'Live' : 'Connecting to live status…'}</span>
        {admin && <a className="button primary" href={href.newForwarder}>New forwarder</a>}
      </div>
      <p className="hint">
        A forwarder carries what its integrations store on to a platform (ThingsBoard, through its gateway API), and brings RPCs and attribute updates back.
        Rows it could not deliver: <a href={href.deadLetters('', 'forward')}>dead letters of stage forward</a>.
      </p>
      <Notice />
      {error && !live.forwarders && <p className="error" role="alert">{error}</p>}
      {forwarders === null ? <p>Loading…</p> : forwarders.length === 0 ? <p>No forwarders yet.{admin && ' Create one with “New forwarder”.'}</p> : (
        <div className="table-wrap">
          <table className="forwarders">
            <thead>
              <tr>
                <th scope="col">Name</th><th scope="col">Integrations</th><th scope="col">State</th><th scope="col">Outbox</th>
                <th scope="col">Delivered</th><th scope="col">Rejected</th><th scope="col">From the platform</th><th scope="col">Last error</th>
                {admin && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>{forwarders.map((f) => <Row key={f.name} f={f} admin={admin} />)}</tbody>
          </table>
        </div>
      )}
    </section>
  );
}

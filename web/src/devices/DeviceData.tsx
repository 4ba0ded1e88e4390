/** The device page's read-only panels: latest values, attributes by scope, downlink history. */
import { time } from '../integrations/format.ts';
import { shown, type Attribute, type Downlink, type Latest, type Scope } from './types.ts';

export function LatestValues({ latest }: { latest: Latest | null }) {
  const keys = latest ? Object.keys(latest).sort() : [];
  return (
    <section aria-labelledby="latest-title" className="panel">
      <h3 id="latest-title">Latest telemetry</h3>
      {latest === null ? <p>Loading…</p> : keys.length === 0 ? <p>No telemetry yet.</p> : (
        <table className="kv">
          <thead><tr><th scope="col">Key</th><th scope="col">Value</th><th scope="col">Time</th></tr></thead>
          <tbody>{keys.map((k) => (
            <tr key={k} data-key={k}><th scope="row">{k}</th><td data-field="value">{shown(latest[k]?.value)}</td><td>{time(latest[k]?.ts)}</td></tr>
          ))}</tbody>
        </table>
      )}
    </section>
  );
}

const SCOPES: Array<[Scope, string]> = [['client', 'Client'], ['shared', 'Shared'], ['server', 'Server']];

export function Attributes({ attributes }: { attributes: Attribute[] | null }) {
  return (
    <section aria-labelledby="attributes-title" className="panel">
      <h3 id="attributes-title">Attributes</h3>
      {attributes === null ? <p>Loading…</p> : SCOPES.map(([scope, title]) => {
        const items = attributes.filter((a) => a.scope === scope);
        return (
          <div key={scope} data-scope={scope}>
            <h4>{title} attributes</h4>
            {items.length === 0 ? <p className="hint">None.</p> : (
              <table className="kv">
                <thead><tr><th scope="col">Key</th><th scope="col">Value</th><th scope="col">Updated</th></tr></thead>
                <tbody>{items.map((a) => <tr key={a.key}><th scope="row">{a.key}</th><td>{shown(a.value)}</td><td>{time(a.updatedAt)}</td></tr>)}</tbody>
              </table>
            )}
          </div>
        );
      })}
    </section>
  );
}

export function DownlinkHistory({ downlinks }: { downlinks: Downlink[] | null }) {
  return (
    <section aria-labelledby="history-title" className="panel wide">
      <h3 id="history-title">Downlink history</h3>
      {downlinks === null ? <p>Loading…</p> : downlinks.length === 0 ? <p>No downlinks sent to this device yet.</p> : (
        <div className="table-wrap">
          <table className="downlinks">
            <thead><tr><th scope="col">Created</th><th scope="col">Type</th><th scope="col">Message</th><th scope="col">Status</th><th scope="col">Outcome</th><th scope="col">Error</th><th scope="col">Attempts</th></tr></thead>
            <tbody>{downlinks.map((d) => (
              <tr key={d.id} data-downlink={d.id}>
                <td>{time(d.createdAt)}</td>
                <td>{d.msgType}</td>
                <td><code>{shown(d.msg)}</code></td>
                <td data-field="status" className={`dl-${d.status}`}>{d.status}</td>
                <td data-field="outcome">{d.outcome ? `${d.outcome}${d.outcomeDetail ? `: ${d.outcomeDetail}` : ''}` : '—'}</td>
                <td data-field="error" className={d.error ? 'error' : ''}>{d.error ?? '—'}</td>
                <td className="num">{d.attempts}</td>
              </tr>
            ))}</tbody>
          </table>
        </div>
      )}
    </section>
  );
}

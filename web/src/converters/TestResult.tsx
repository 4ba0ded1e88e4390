/** A test run's answer: the error with its line, the normalised records or encoded payloads, console output, the raw result. */
import type { NormalisedRecord, TestAnswer, TypedValue } from './types.ts';

const show = (v: TypedValue): string => (typeof v.value === 'string' ? v.value : JSON.stringify(v.value));
const iso = (ts: number): string => new Date(ts).toISOString();

function RecordView({ r }: { r: NormalisedRecord }) {
  return (
    <div className="record" data-record={r.name}>
      <h4>{r.kind === 'ASSET' ? 'Asset' : 'Device'} <strong>{r.name}</strong>{r.type ? <span className="hint"> (type {r.type})</span> : null}</h4>
      {r.telemetry && r.telemetry.length > 0 && (
        <div className="table-wrap">
          <table className="kv" aria-label={`Telemetry of ${r.name}`}>
            <thead><tr><th scope="col">Telemetry key</th><th scope="col">Type</th><th scope="col">Value</th><th scope="col">Timestamp</th></tr></thead>
            <tbody>
              {r.telemetry.map((p, i) => (
                <tr key={i}><td>{p.key}</td><td>{p.value.type}</td><td>{show(p.value)}</td><td>{iso(p.ts)}{p.implicitTs ? ' (time of receipt)' : ''}</td></tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {r.attributes && r.attributes.length > 0 && (
        <div className="table-wrap">
          <table className="kv" aria-label={`Attributes of ${r.name}`}>
            <thead><tr><th scope="col">Attribute</th><th scope="col">Type</th><th scope="col">Value</th></tr></thead>
            <tbody>{r.attributes.map((a, i) => <tr key={i}><td>{a.key}</td><td>{a.value.type}</td><td>{show(a.value)}</td></tr>)}</tbody>
          </table>
        </div>
      )}
    </div>
  );
}

export function TestResult({ answer }: { answer: TestAnswer }) {
  const e = answer.error;
  return (
    <section className="test-result" aria-label="Test result">
      {e ? (
        <div className="error" role="alert">
          <strong>{e.code}</strong> ({e.stage}){e.details.line !== undefined ? <> at <span data-field="error-line">line {e.details.line}</span></> : null}: {e.message}
        </div>
      ) : <p className="ok-text" role="status">Converted without errors.</p>}
      {answer.records && (
        <>
          <h3>Records that would be stored</h3>
          {answer.records.length === 0 ? <p>None (the converter returned nothing to store).</p> : answer.records.map((r, i) => <RecordView key={i} r={r} />)}
        </>
      )}
      {answer.encoded && (
        <>
          <h3>Encoded payloads</h3>
          <div className="table-wrap">
            <table className="kv" aria-label="Encoded payloads">
              <thead><tr><th scope="col">Content type</th><th scope="col">Data</th><th scope="col">Metadata</th></tr></thead>
              <tbody>
                {answer.encoded.map((p, i) => (
                  <tr key={i}><td>{p.contentType}</td><td><code>{p.dataText ?? `base64 ${p.dataBase64}`}</code></td><td><code>{JSON.stringify(p.metadata ?? {})}</code></td></tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      <h3>Console output</h3>
      {answer.logs.length === 0 ? <p className="hint">No console output.</p> : <pre className="logs" aria-label="Console output">{answer.logs.join('\n')}</pre>}
      {answer.output !== undefined && (
        <>
          <h3>Raw result</h3>
          <pre className="raw" aria-label="Raw result">{JSON.stringify(answer.output, null, 2)}</pre>
        </>
      )}
    </section>
  );
}

/**
 * Create or edit a converter: name, type, language and the script in CodeMirror; save with the
 * server's validation messages at their fields; delete (refused while integrations use it); and
 * the test panel. Viewers see the script read-only, with no save, delete or test.
 */
import { useEffect, useRef, useState } from 'react';
import { ApiError, api, errorText, get, type ApiProblem } from '../api.ts';
import { ConfirmBar, useConfirm } from '../Confirm.tsx';
import { focusOn } from '../focus.ts';
import { setFlash } from '../flash.ts';
import { href, navigate } from '../route.ts';
import type { Role } from '../session.ts';
import type { ConverterRef } from '../integrations/types.ts';
import { CodeEditor } from './CodeEditor.tsx';
import { TestPanel } from './TestPanel.tsx';
import type { ConverterLanguage, ConverterType, ConverterView } from './types.ts';
import { usersByConverter } from './usage.ts';

const STARTER: Record<ConverterType, string> = {
  uplink: 'var data = decodeToJson(payload);\nreturn {\n  deviceName: data.deviceName,\n  deviceType: "default",\n  telemetry: { temperature: data.temperature }\n};\n',
  downlink: 'return {\n  contentType: "JSON",\n  data: JSON.stringify(msg),\n  metadata: { topic: "devices/" + metadata.deviceName + "/commands" }\n};\n',
};

export function ConverterEditor({ role, id }: { role: Role; id: string | null }) {
  const [view, setView] = useState<ConverterView | null>(null);
  const [loaded, setLoaded] = useState(id === null);
  const [name, setName] = useState('');
  const [type, setType] = useState<ConverterType>('uplink');
  const [language, setLanguage] = useState<ConverterLanguage>('javascript');
  const [script, setScript] = useState(STARTER.uplink);
  const [users, setUsers] = useState<ConverterRef[] | null>(null);
  const [errorLine, setErrorLine] = useState<number | null>(null);
  const [problem, setProblem] = useState<{ text: string; fields: ApiProblem[] } | null>(null);
  const confirm = useConfirm<'delete'>();
  const [busy, setBusy] = useState(false);
  const readonly = role !== 'admin';
  const alertBox = useRef<HTMLDivElement>(null);
  useEffect(() => { if (problem) focusOn(alertBox.current); }, [problem]);

  useEffect(() => {
    void (async () => {
      try {
        const [existing, byConverter] = await Promise.all([id ? get<ConverterView>(`/converters/${encodeURIComponent(id)}`) : Promise.resolve(null), usersByConverter()]);
        if (existing) {
          setView(existing);
          setName(existing.name);
          setType(existing.type);
          setLanguage(existing.language);
          setScript(existing.script);
        }
        setUsers(existing ? byConverter.get(existing.id) ?? [] : []);
        setLoaded(true);
      } catch (err) {
        setProblem({ text: errorText(err), fields: [] });
      }
    })();
  }, [id]);

  const act = async (failed: string, action: () => Promise<void>): Promise<void> => {
    setBusy(true);
    setProblem(null);
    try {
      await action();
    } catch (err) {
      const at = err instanceof ApiError && err.code === 'CONVERTER_COMPILE' ? /\(line (\d+), column \d+\)/.exec(err.message) : null;
      if (at?.[1]) setErrorLine(Number(at[1]));
      setProblem({ text: `${failed}: ${err instanceof ApiError ? err.message : errorText(err)}`, fields: err instanceof ApiError ? err.problems : [] });
    } finally {
      setBusy(false);
    }
  };

  const save = async (): Promise<void> => {
    if (!name.trim()) {
      setProblem({ text: 'Not saved: the converter needs a name.', fields: [{ field: 'name', message: 'Give the converter a name.' }] });
      return;
    }
    await act('Not saved', async () => {
      const body = { name, type, language, script, ...(view?.limits ? { limits: view.limits } : {}) };
      const saved = view
        ? await api<ConverterView>('PUT', `/converters/${encodeURIComponent(view.id)}`, body)
        : await api<ConverterView>('POST', '/converters', body);
      setFlash({ text: `Saved “${saved.name}”.`, warnings: [] });
      navigate(href.converters);
    });
  };

  const remove = (): Promise<void> => act('Not deleted', async () => {
    if (!view) return;
    confirm.close();
    await api('DELETE', `/converters/${encodeURIComponent(view.id)}`);
    setFlash({ text: `Deleted “${view.name}”.`, warnings: [] });
    navigate(href.converters);
  });

  const fieldError = (field: string) => problem?.fields.filter((p) => p.field === field).map((p, i) => <p key={i} className="error-detail" id={`${field}-error`}>{p.message}</p>);
  const elsewhere = problem?.fields.filter((p) => !['name', 'language', 'script'].includes(p.field)) ?? [];

  return (
    <section aria-labelledby="converter-title" className="converter-editor">
      <p><a href={href.converters}>← Converters</a></p>
      <h2 id="converter-title">{view ? `Converter “${view.name}”` : id ? 'Converter' : 'New converter'}</h2>
      {readonly && <p className="hint">Your token is read-only (viewer): you can look, not change or run tests.</p>}
      {problem && (
        <div className="error" role="alert" ref={alertBox} tabIndex={-1}>
          <p>{problem.text}</p>
          {elsewhere.map((p, i) => <p key={i}>{p.field}: {p.message}</p>)}
        </div>
      )}
      {loaded && (
        <>
          <div className="converter-fields">
            <div className="field">
              <label htmlFor="converter-name">Name</label>
              <input id="converter-name" value={name} readOnly={readonly} onChange={(e) => setName(e.target.value)} aria-describedby={fieldError('name')?.length ? 'name-error' : undefined} />
              {fieldError('name')}
            </div>
            <div className="field">
              <label htmlFor="converter-type">Type</label>
              <select id="converter-type" value={type} disabled={readonly || view !== null} onChange={(e) => { const t = e.target.value as ConverterType; if (script === STARTER[type]) setScript(STARTER[t]); setType(t); }}>
                <option value="uplink">uplink (decoder)</option><option value="downlink">downlink (encoder)</option>
              </select>
            </div>
            <div className="field">
              <label htmlFor="converter-language">Language</label>
              <select id="converter-language" value={language} disabled={readonly} onChange={(e) => setLanguage(e.target.value as ConverterLanguage)}>
                <option value="javascript">JavaScript</option><option value="jsonata">JSONata{type === 'downlink' ? ' (uplink only)' : ''}</option>
              </select>
              {fieldError('language')}
            </div>
          </div>
          <p className="hint">
            {type === 'uplink' ? 'The body of ThingsBoard’s Decoder(payload, metadata): return {deviceName, deviceType, telemetry, attributes} or an array of them.' : 'The body of ThingsBoard’s Encoder(msg, metadata, msgType, integrationMetadata): return {contentType, data, metadata}.'}
            {language === 'jsonata' && ' JSONata is highlighted as JavaScript (there is no JSONata mode for the editor).'}
          </p>
          <div className="field">
            <span className="label" id="script-label">Script</span>
            <CodeEditor value={script} onChange={(s) => { setScript(s); setErrorLine(null); }} readOnly={readonly} errorAt={errorLine} label="Script" />
            {fieldError('script')}
          </div>
          {users && users.length > 0 && (
            <p>Used by: {users.map((u, i) => <span key={u.id}>{i > 0 && ', '}<a href={href.integration(u.id)}>{u.name}</a></span>)}{!readonly && ' (saving restarts them with the new version)'}</p>
          )}
          {!readonly && (
            <div className="form-buttons">
              <button type="button" className="primary" disabled={busy} onClick={() => void save()}>{view ? 'Save changes' : 'Create converter'}</button>
              {view && !confirm.asking && <button type="button" className="danger" disabled={busy} data-confirm="delete" onClick={() => confirm.ask('delete')}>Delete</button>}
              {view && confirm.asking && (
                <ConfirmBar label={`Delete ${view.name}?`} yes="Yes, delete" busy={busy} onYes={() => void remove()} onCancel={confirm.cancel}>Delete “{view.name}”?</ConfirmBar>
              )}
              <a href={href.converters}>Cancel</a>
            </div>
          )}
          {!readonly && users && <TestPanel key={type} type={type} language={language} script={script} limits={view?.limits} users={users} onErrorLine={setErrorLine} />}
        </>
      )}
    </section>
  );
}

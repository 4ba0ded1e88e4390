/**
 * Create or edit an integration with a form generated from the connector's config spec (@rjsf);
 * the server's validation messages are shown at their fields (focus goes to the first). Viewers
 * see the form read-only.
 */
import { useEffect, useMemo, useState } from 'react';
import { api, errorText, get } from '../api.ts';
import { setFlash } from '../flash.ts';
import { href, navigate } from '../route.ts';
import type { Role } from '../session.ts';
import { CheckResults } from './CheckResults.tsx';
import { bodyOf, formDataOf, integrationSchema, integrationUi, type IntegrationForm } from './form-schema.ts';
import { ProblemSummary, SpecForm, useFormProblems } from './SpecForm.tsx';
import type { CheckResult, ConnectorType, ConverterSummary, IntegrationView } from './types.ts';

export function IntegrationEditor({ role, id }: { role: Role; id: string | null }) {
  const [connectors, setConnectors] = useState<ConnectorType[] | null>(null);
  const [converters, setConverters] = useState<ConverterSummary[]>([]);
  const [view, setView] = useState<IntegrationView | null>(null);
  const [type, setType] = useState('mqtt');
  const [data, setData] = useState<IntegrationForm>({});
  const { fieldErrors, setFieldErrors, problem, setProblem, busy, attempt } = useFormProblems();
  const [check, setCheck] = useState<CheckResult | null>(null);
  const readonly = role !== 'admin';

  useEffect(() => {
    void (async () => {
      try {
        const [types, convs, existing] = await Promise.all([
          get<ConnectorType[]>('/connectors'), get<ConverterSummary[]>('/converters'),
          id ? get<IntegrationView>(`/integrations/${encodeURIComponent(id)}`) : Promise.resolve(null),
        ]);
        setConnectors(types);
        setConverters(convs);
        if (existing) {
          setView(existing);
          setType(existing.type);
          setData(formDataOf(existing));
        } else {
          setType(types[0]?.type ?? 'mqtt');
        }
      } catch (err) {
        setProblem({ text: errorText(err), elsewhere: [] });
      }
    })();
  }, [id]);

  const connector = connectors?.find((c) => c.type === type);
  const schema = useMemo(() => (connector ? integrationSchema(connector, converters) : null), [connector, converters]);
  const uiSchema = useMemo(() => (connector ? integrationUi(connector, readonly) : {}), [connector, readonly]);

  const save = async (form: IntegrationForm): Promise<void> => attempt(async () => {
    setProblem(null);
    const body = bodyOf(form, type, view?.debug);
    const saved = view
      ? await api<IntegrationView>('PUT', `/integrations/${encodeURIComponent(view.id)}`, body)
      : await api<IntegrationView>('POST', '/integrations', body);
    setFieldErrors(undefined);
    setFlash({ text: `Saved “${saved.name}”.`, warnings: saved.warnings ?? [] });
    navigate(href.integrations);
  });

  const checkConnection = async (): Promise<void> => attempt(async () => {
    setCheck(null);
    setCheck(view
      ? await api<CheckResult>('POST', `/integrations/${encodeURIComponent(view.id)}/check`)
      : await api<CheckResult>('POST', '/integrations/check', bodyOf(data, type)));
  });

  const title = view ? `Integration “${view.name}”` : id ? 'Integration' : 'New integration';
  return (
    <section aria-labelledby="editor-title" className="editor">
      <p><a href={href.integrations}>← Integrations</a></p>
      <h2 id="editor-title">{title}</h2>
      {readonly && <p className="hint">Your token is read-only (viewer): you can look, not change.</p>}
      <ProblemSummary problem={problem} />
      {connectors && (
        <div className="field">
          <label htmlFor="connector-type">Connector type</label>
          <select id="connector-type" value={type} disabled={view !== null || readonly} onChange={(e) => { setType(e.target.value); setData((d) => ({ ...d, config: {} })); setFieldErrors(undefined); setCheck(null); }}>
            {connectors.map((c) => <option key={c.type} value={c.type}>{c.title} ({c.type})</option>)}
          </select>
          {connector && <p className="hint">{connector.description}</p>}
        </div>
      )}
      {!view && !readonly && connectors && !converters.some((c) => c.type === 'uplink') && (
        <p className="error" role="alert">There is no uplink converter yet: <a href={href.newConverter}>create one</a> first.</p>
      )}
      {schema && connector && (
        <SpecForm
          key={`${type}-${view?.id ?? 'new'}`}
          schema={schema}
          uiSchema={uiSchema}
          formData={data}
          extraErrors={fieldErrors}
          readonly={readonly}
          onChange={(e) => setData((e.formData ?? {}) as IntegrationForm)}
          onSubmit={(e) => void save((e.formData ?? {}) as IntegrationForm)}
        >
          <div className="form-buttons">
            {!readonly && <button type="submit" className="primary" disabled={busy}>{view ? 'Save changes' : 'Create integration'}</button>}
            {!readonly && <button type="button" disabled={busy} onClick={() => void checkConnection()}>{view ? 'Check saved connection' : 'Check connection'}</button>}
            <a href={href.integrations}>Cancel</a>
          </div>
        </SpecForm>
      )}
      {check && <CheckResults result={check} />}
    </section>
  );
}

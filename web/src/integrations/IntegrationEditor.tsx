/**
 * Create or edit an integration with a form generated from the connector's config spec (@rjsf);
 * the server's validation messages are shown at their fields (focus goes to the first). Viewers
 * see the form read-only.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import Form from '@rjsf/core';
import type { ErrorSchema, RegistryWidgetsType } from '@rjsf/utils';
import validator from '@rjsf/validator-ajv8';
import { ApiError, api, errorText, get, type ApiProblem } from '../api.ts';
import { setFlash } from '../flash.ts';
import { focusOn } from '../focus.ts';
import { href, navigate } from '../route.ts';
import type { Role } from '../session.ts';
import { CheckResults } from './CheckResults.tsx';
import { bodyOf, formDataOf, integrationSchema, integrationUi, placeErrors, type IntegrationForm } from './form-schema.ts';
import { SecretWidget } from './SecretWidget.tsx';
import type { CheckResult, ConnectorType, ConverterSummary, IntegrationView } from './types.ts';

const widgets: RegistryWidgetsType = { secret: SecretWidget };

export function IntegrationEditor({ role, id }: { role: Role; id: string | null }) {
  const [connectors, setConnectors] = useState<ConnectorType[] | null>(null);
  const [converters, setConverters] = useState<ConverterSummary[]>([]);
  const [view, setView] = useState<IntegrationView | null>(null);
  const [type, setType] = useState('mqtt');
  const [data, setData] = useState<IntegrationForm>({});
  const [fieldErrors, setFieldErrors] = useState<ErrorSchema | undefined>(undefined);
  const [problem, setProblem] = useState<{ text: string; elsewhere: ApiProblem[] } | null>(null);
  const [check, setCheck] = useState<CheckResult | null>(null);
  const [busy, setBusy] = useState(false);
  const readonly = role !== 'admin';
  const alertBox = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!problem) return undefined;
    // After @rjsf has drawn the server's errors at their fields (it does so in a second render).
    const frame = requestAnimationFrame(() => focusOn(document.querySelector<HTMLElement>('.editor form .has-error :is(input, select, textarea)') ?? alertBox.current));
    return () => cancelAnimationFrame(frame);
  }, [problem]);

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

  const fail = (err: unknown): void => {
    if (err instanceof ApiError && err.problems.length > 0) {
      const placed = placeErrors(err.problems);
      setFieldErrors(placed.errors);
      setProblem({ text: `Not saved: ${err.message}`, elsewhere: placed.elsewhere });
    } else {
      setFieldErrors(undefined);
      setProblem({ text: errorText(err), elsewhere: [] });
    }
  };

  const save = async (form: IntegrationForm): Promise<void> => {
    setBusy(true);
    setProblem(null);
    try {
      const body = bodyOf(form, type, view?.debug);
      const saved = view
        ? await api<IntegrationView>('PUT', `/integrations/${encodeURIComponent(view.id)}`, body)
        : await api<IntegrationView>('POST', '/integrations', body);
      setFieldErrors(undefined);
      setFlash({ text: `Saved “${saved.name}”.`, warnings: saved.warnings ?? [] });
      navigate(href.integrations);
    } catch (err) {
      fail(err);
    } finally {
      setBusy(false);
    }
  };

  const checkConnection = async (): Promise<void> => {
    setBusy(true);
    setCheck(null);
    try {
      setCheck(view
        ? await api<CheckResult>('POST', `/integrations/${encodeURIComponent(view.id)}/check`)
        : await api<CheckResult>('POST', '/integrations/check', bodyOf(data, type)));
    } catch (err) {
      fail(err);
    } finally {
      setBusy(false);
    }
  };

  const title = view ? `Integration “${view.name}”` : id ? 'Integration' : 'New integration';
  return (
    <section aria-labelledby="editor-title" className="editor">
      <p><a href={href.integrations}>← Integrations</a></p>
      <h2 id="editor-title">{title}</h2>
      {readonly && <p className="hint">Your token is read-only (viewer): you can look, not change.</p>}
      {problem && (
        <div className="error" role="alert" ref={alertBox} tabIndex={-1}>
          <p>{problem.text}</p>
          {problem.elsewhere.map((p, i) => <p key={i}>{p.field}: {p.message}</p>)}
        </div>
      )}
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
        <Form
          key={`${type}-${view?.id ?? 'new'}`}
          schema={schema}
          uiSchema={uiSchema}
          formData={data}
          validator={validator}
          widgets={widgets}
          extraErrors={fieldErrors}
          readonly={readonly}
          showErrorList={false}
          focusOnFirstError
          noHtml5Validate
          onChange={(e) => setData((e.formData ?? {}) as IntegrationForm)}
          onSubmit={(e) => void save((e.formData ?? {}) as IntegrationForm)}
        >
          <div className="form-buttons">
            {!readonly && <button type="submit" className="primary" disabled={busy}>{view ? 'Save changes' : 'Create integration'}</button>}
            {!readonly && <button type="button" disabled={busy} onClick={() => void checkConnection()}>{view ? 'Check saved connection' : 'Check connection'}</button>}
            <a href={href.integrations}>Cancel</a>
          </div>
        </Form>
      )}
      {check && <CheckResults result={check} />}
    </section>
  );
}

/**
 * Create or edit a forwarder with a form generated from its type's config spec (@rjsf), as the
 * integration form does: secrets write-only, the server's messages at their fields, a connection
 * check of what the form holds. Viewers see the form read-only.
 */
import { useEffect, useMemo, useState } from 'react';
import { ApiError, api, errorText, get } from '../api.ts';
import { setFlash } from '../flash.ts';
import { CheckResults } from '../integrations/CheckResults.tsx';
import { ProblemSummary, SpecForm, useFormProblems } from '../integrations/SpecForm.tsx';
import type { CheckResult } from '../integrations/types.ts';
import { href, navigate } from '../route.ts';
import type { Role } from '../session.ts';
import { FORWARDER_FIELDS, bodyOf, formDataOf, forwarderSchema, forwarderUi, type ForwarderForm } from './form-schema.ts';
import type { ForwarderType, ForwarderView } from './types.ts';

/** Only required fields get their defaults: an optional `tls` object filled with defaults would turn TLS on. */
const defaults = { emptyObjectFields: 'populateRequiredDefaults' } as const;

export function ForwarderEditor({ role, name }: { role: Role; name: string | null }) {
  const [types, setTypes] = useState<ForwarderType[] | null>(null);
  const [integrationNames, setIntegrationNames] = useState<string[]>([]);
  const [view, setView] = useState<ForwarderView | null>(null);
  const [type, setType] = useState('');
  const [data, setData] = useState<ForwarderForm>({ enabled: true, integrations: [], config: {} });
  const { fieldErrors, setFieldErrors, problem, setProblem, busy, attempt } = useFormProblems(FORWARDER_FIELDS);
  const [check, setCheck] = useState<CheckResult | null>(null);
  const readonly = role !== 'admin';

  useEffect(() => {
    void (async () => {
      try {
        const [list, integrations, existing] = await Promise.all([
          get<ForwarderType[]>('/forwarder-types'), get<Array<{ name: string }>>('/integrations'),
          name ? get<ForwarderView>(`/forwarders/${encodeURIComponent(name)}`) : Promise.resolve(null),
        ]);
        setTypes(list);
        const names = integrations.map((i) => i.name);
        if (existing && existing.integrations !== 'all') for (const n of existing.integrations) if (!names.includes(n)) names.push(n);
        setIntegrationNames(names);
        if (existing) {
          setView(existing);
          setType(existing.type);
          setData(formDataOf(existing));
        } else {
          setType(list[0]?.type ?? '');
        }
      } catch (err) {
        setProblem({ text: errorText(err), elsewhere: [] });
      }
    })();
  }, [name]);

  const forwarderType = types?.find((t) => t.type === type);
  const schema = useMemo(() => (forwarderType ? forwarderSchema(forwarderType, integrationNames) : null), [forwarderType, integrationNames]);
  const uiSchema = useMemo(() => (forwarderType ? forwarderUi(forwarderType, readonly, view !== null) : {}), [forwarderType, readonly, view]);

  const save = async (form: ForwarderForm): Promise<void> => attempt(async () => {
    setProblem(null);
    const body = bodyOf(form, type);
    const path = `/forwarders/${encodeURIComponent(String(body.name))}`;
    if (!view && (await api<ForwarderView[]>('GET', '/forwarders')).some((f) => f.name === body.name)) {
      throw new ApiError(409, 'CONFLICT', `a forwarder named "${String(body.name)}" exists: open it from the list to change it`, { field: 'name' });
    }
    const saved = await api<ForwarderView>('PUT', path, body);
    setFieldErrors(undefined);
    setFlash({ text: `Saved “${saved.name}”.`, warnings: saved.warnings ?? [] });
    navigate(href.forwarders);
  });

  const checkConnection = async (): Promise<void> => attempt(async () => {
    setCheck(null);
    setCheck(await api<CheckResult>('POST', '/forwarders/check', bodyOf(data, type)));
  });

  return (
    <section aria-labelledby="editor-title" className="editor">
      <p><a href={href.forwarders}>← Forwarders</a></p>
      <h2 id="editor-title">{view ? `Forwarder “${view.name}”` : 'New forwarder'}</h2>
      {readonly && <p className="hint">Your token is read-only (viewer): you can look, not change.</p>}
      <ProblemSummary problem={problem} />
      {types && (
        <div className="field">
          <label htmlFor="forwarder-type">Forwarder type</label>
          <select id="forwarder-type" value={type} disabled={view !== null || readonly} onChange={(e) => { setType(e.target.value); setData((d) => ({ ...d, config: {} })); setFieldErrors(undefined); setCheck(null); }}>
            {types.map((t) => <option key={t.type} value={t.type}>{t.title} ({t.type})</option>)}
          </select>
          {forwarderType && <p className="hint">{forwarderType.description}</p>}
        </div>
      )}
      {schema && forwarderType && (
        <SpecForm
          key={`${type}-${view?.name ?? 'new'}`}
          schema={schema}
          uiSchema={uiSchema}
          formData={data}
          extraErrors={fieldErrors}
          readonly={readonly}
          experimental_defaultFormStateBehavior={defaults}
          onChange={(e) => setData((e.formData ?? {}) as ForwarderForm)}
          onSubmit={(e) => void save((e.formData ?? {}) as ForwarderForm)}
        >
          <div className="form-buttons">
            {!readonly && <button type="submit" className="primary" disabled={busy}>{view ? 'Save changes' : 'Create forwarder'}</button>}
            {!readonly && <button type="button" disabled={busy} onClick={() => void checkConnection()}>Check connection</button>}
            <a href={href.forwarders}>Cancel</a>
          </div>
        </SpecForm>
      )}
      {check && <CheckResults result={check} />}
    </section>
  );
}

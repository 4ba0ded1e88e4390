/**
 * What the forms generated from a config spec share (integrations, forwarders): the @rjsf form
 * with the write-only secret widget and the server's validation as the only error list, and the
 * API's problems placed at their fields with a summary above the form.
 */
import { useEffect, useRef, useState } from 'react';
import Form, { type FormProps } from '@rjsf/core';
import type { ErrorSchema, RegistryWidgetsType } from '@rjsf/utils';
import validator from '@rjsf/validator-ajv8';
import { ApiError, errorText, type ApiProblem } from '../api.ts';
import { focusOn } from '../focus.ts';
import { placeErrors } from './form-schema.ts';
import { SecretWidget } from './SecretWidget.tsx';

const widgets: RegistryWidgetsType = { secret: SecretWidget };

export function SpecForm(props: Omit<FormProps, 'validator' | 'widgets'>) {
  return <Form validator={validator} widgets={widgets} showErrorList={false} focusOnFirstError noHtml5Validate {...props} />;
}

export interface Problem {
  text: string;
  /** The API's problems no form field shows. */
  elsewhere: ApiProblem[];
}

/**
 * The form's field errors and the summary; `fail` sets them from an API error (`fields`: the
 * form's top-level fields). `attempt` runs a save or a check: busy meanwhile, a failure shown.
 */
export function useFormProblems(fields?: ReadonlySet<string>) {
  const [fieldErrors, setFieldErrors] = useState<ErrorSchema | undefined>(undefined);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const fail = (err: unknown): void => {
    if (err instanceof ApiError && err.problems.length > 0) {
      const placed = placeErrors(err.problems, fields);
      setFieldErrors(placed.errors);
      setProblem({ text: `Not saved: ${err.message}`, elsewhere: placed.elsewhere });
    } else {
      setFieldErrors(undefined);
      setProblem({ text: errorText(err), elsewhere: [] });
    }
  };
  const attempt = async (action: () => Promise<void>): Promise<void> => {
    setBusy(true);
    try {
      await action();
    } catch (err) {
      fail(err);
    } finally {
      setBusy(false);
    }
  };
  return { fieldErrors, setFieldErrors, problem, setProblem, fail, busy, attempt };
}

/**
 * The summary above the form. When a problem arrives, focus goes to the first field showing an
 * error (once @rjsf has drawn the server's errors, in its second render), else to the summary.
 */
export function ProblemSummary({ problem }: { problem: Problem | null }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!problem) return undefined;
    const frame = requestAnimationFrame(() => focusOn(document.querySelector<HTMLElement>('.editor form .has-error :is(input, select, textarea)') ?? box.current));
    return () => cancelAnimationFrame(frame);
  }, [problem]);
  if (!problem) return null;
  return (
    <div className="error" role="alert" ref={box} tabIndex={-1}>
      <p>{problem.text}</p>
      {problem.elsewhere.map((p, i) => <p key={i}>{p.field}: {p.message}</p>)}
    </div>
  );
}

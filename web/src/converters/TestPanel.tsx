/**
 * Test run of the script in the editor (saved or not): an uplink decoder on a pasted or captured
 * payload with metadata, a downlink encoder on msgType, msg and metadata. No side effects.
 */
import { useState } from 'react';
import { api, errorText } from '../api.ts';
import type { ConverterRef } from '../integrations/types.ts';
import { CapturedMessages } from './CapturedMessages.tsx';
import { TestResult } from './TestResult.tsx';
import type { ConverterLanguage, ConverterType, ConverterView, TestAnswer, UplinkSample } from './types.ts';

interface Props {
  type: ConverterType;
  language: ConverterLanguage;
  script: string;
  limits: ConverterView['limits'];
  users: ConverterRef[];
  onErrorLine: (line: number | null) => void;
}

/** A JSON object typed by the user; empty text means "none". */
function jsonObject(text: string, what: string): Record<string, unknown> | undefined {
  if (!text.trim()) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new Error(`${what} is not valid JSON`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${what} must be a JSON object`);
  return v as Record<string, unknown>;
}

function stringValues(obj: Record<string, unknown> | undefined): Record<string, string> | undefined {
  return obj && Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
}

export function TestPanel({ type, language, script, limits, users, onErrorLine }: Props) {
  const [sample, setSample] = useState<UplinkSample>({ payload: '', encoding: 'text', metadata: '' });
  const [msgType, setMsgType] = useState('ATTRIBUTES_UPDATED');
  const [msg, setMsg] = useState('{}');
  const [downMeta, setDownMeta] = useState('');
  const [answer, setAnswer] = useState<TestAnswer | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async (): Promise<void> => {
    setBusy(true);
    setProblem(null);
    try {
      const common = { type, language, script, ...(limits ? { limits } : {}) };
      const meta = stringValues(jsonObject(type === 'uplink' ? sample.metadata : downMeta, 'Metadata'));
      const body = type === 'uplink'
        ? { ...common, payload: sample.payload, payloadEncoding: sample.encoding, ...(meta ? { metadata: meta } : {}) }
        : { ...common, msgType, msg: jsonObject(msg, 'msg') ?? {}, ...(meta ? { metadata: meta } : {}) };
      const a = await api<TestAnswer>('POST', '/converters/test', body);
      setAnswer(a);
      onErrorLine(a.error?.details.line ?? null);
    } catch (err) {
      setAnswer(null);
      onErrorLine(null);
      setProblem(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="test-panel" aria-labelledby="test-title">
      <h3 id="test-title">Test</h3>
      {type === 'uplink' ? (
        <>
          <CapturedMessages users={users} onPick={(s) => { setSample(s); setAnswer(null); }} />
          <div className="field">
            <label htmlFor="test-payload">Payload</label>
            <textarea id="test-payload" rows={4} value={sample.payload} onChange={(e) => setSample({ ...sample, payload: e.target.value })} spellCheck={false} />
          </div>
          <div className="field inline">
            <label htmlFor="test-encoding">Payload is</label>
            <select id="test-encoding" value={sample.encoding} onChange={(e) => setSample({ ...sample, encoding: e.target.value as UplinkSample['encoding'] })}>
              <option value="text">text or JSON</option><option value="hex">hex</option><option value="base64">base64</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="test-metadata">Metadata (JSON object, optional)</label>
            <textarea id="test-metadata" rows={3} value={sample.metadata} onChange={(e) => setSample({ ...sample, metadata: e.target.value })} spellCheck={false} placeholder='{"topic": "sensors/a"}' />
          </div>
        </>
      ) : (
        <>
          <div className="field">
            <label htmlFor="test-msgtype">msgType</label>
            <input id="test-msgtype" value={msgType} onChange={(e) => setMsgType(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="test-msg">msg (JSON)</label>
            <textarea id="test-msg" rows={4} value={msg} onChange={(e) => setMsg(e.target.value)} spellCheck={false} />
          </div>
          <div className="field">
            <label htmlFor="test-down-metadata">Metadata (JSON object, optional)</label>
            <textarea id="test-down-metadata" rows={3} value={downMeta} onChange={(e) => setDownMeta(e.target.value)} spellCheck={false} placeholder='{"deviceName": "probe-1"}' />
          </div>
        </>
      )}
      <div className="form-buttons">
        <button type="button" className="primary" disabled={busy || !script.trim()} onClick={() => void run()}>Run test</button>
        <span className="hint">Runs the script as it is in the editor; nothing is stored or sent.</span>
      </div>
      {problem && <p className="error" role="alert">{problem}</p>}
      {answer && <TestResult answer={answer} />}
    </section>
  );
}

/**
 * The downlink form (admins): message type, message JSON, metadata JSON and integration. Its
 * fields are this component's own state, so live updates of the page around it never reset what
 * the user is typing; only a successful send clears the message.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { api, errorText, get } from '../api.ts';
import type { Downlink } from './types.ts';

const MSG_TYPES = ['RPC_CALL_FROM_SERVER_TO_DEVICE', 'ATTRIBUTES_UPDATED', 'ATTRIBUTES_DELETED'];

interface IntegrationName { id: string; name: string; downlinkConverter: string | null }

function parseJson(label: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${label} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export function DownlinkForm({ deviceName }: { deviceName: string }) {
  const [msgType, setMsgType] = useState(MSG_TYPES[0] ?? '');
  const [msg, setMsg] = useState('{}');
  const [metadata, setMetadata] = useState('{}');
  const [integration, setIntegration] = useState('');
  const [integrations, setIntegrations] = useState<IntegrationName[]>([]);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);

  useEffect(() => {
    get<IntegrationName[]>('/integrations').then((list) => setIntegrations(list.filter((i) => i.downlinkConverter)), () => setIntegrations([]));
  }, []);

  const send = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    try {
      const meta = parseJson('Metadata', metadata);
      if (typeof meta !== 'object' || meta === null || Array.isArray(meta) || Object.values(meta).some((v) => typeof v !== 'string')) {
        throw new Error('Metadata must be a JSON object of strings, e.g. {"topic": "x"}');
      }
      const body = { msgType: msgType.trim(), msg: parseJson('Message', msg), metadata: meta as Record<string, string>, ...(integration ? { integration } : {}) };
      const queued = await api<Downlink>('POST', `/devices/${encodeURIComponent(deviceName)}/downlink`, body);
      setResult({ ok: true, text: `Downlink ${queued.id.slice(0, 8)} is ${queued.status}; its progress shows in the history below.` });
      setMsg('{}');
    } catch (err) {
      setResult({ ok: false, text: errorText(err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="downlink-title" className="panel">
      <h3 id="downlink-title">Send a downlink</h3>
      <form className="downlink" onSubmit={(e) => void send(e)}>
        <label>Message type <input list="msg-types" required value={msgType} onChange={(e) => setMsgType(e.target.value)} /></label>
        <datalist id="msg-types">{MSG_TYPES.map((t) => <option key={t} value={t} />)}</datalist>
        <label>Message (JSON) <textarea rows={5} spellCheck={false} value={msg} onChange={(e) => setMsg(e.target.value)} /></label>
        <label>Metadata (JSON object of strings) <textarea rows={2} spellCheck={false} value={metadata} onChange={(e) => setMetadata(e.target.value)} /></label>
        <label>Integration <select value={integration} onChange={(e) => setIntegration(e.target.value)}>
          <option value="">The one that created the device</option>
          {integrations.map((i) => <option key={i.id} value={i.name}>{i.name}</option>)}
        </select></label>
        <div className="form-buttons"><button type="submit" className="primary" disabled={busy}>{busy ? 'Sending…' : 'Send downlink'}</button></div>
      </form>
      {result && <p className={result.ok ? 'notice' : 'error'} role={result.ok ? 'status' : 'alert'}>{result.text}</p>}
    </section>
  );
}

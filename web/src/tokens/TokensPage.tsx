/**
 * API tokens (admins only): names, roles and dates (never a token or its hash); create one, shown
 * once with a copy button (focused, to copy it at once); revoke one after a confirmation.
 */
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { api, errorText, get } from '../api.ts';
import { ConfirmBar, confirmedDelete, useConfirm } from '../Confirm.tsx';
import { focusFirst } from '../focus.ts';
import { time } from '../integrations/format.ts';
import type { Role } from '../session.ts';

interface TokenView { id: string; name: string; role: Role; createdAt: number }
interface Created extends TokenView { token: string }

function NewToken({ created, onDone }: { created: Created; onDone: () => void }) {
  const [copied, setCopied] = useState<string | null>(null);
  const copyButton = useRef<HTMLButtonElement>(null);
  useEffect(() => { copyButton.current?.focus(); }, []);
  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(created.token);
      setCopied('Copied.');
    } catch {
      setCopied('The browser did not allow copying: select the token and copy it yourself.');
    }
  };
  return (
    <div className="notice new-token" role="status" aria-label="New token">
      <p>{created.role} token “{created.name}” created. Copy it now: it is <strong>shown only once</strong>.</p>
      <p><code className="token-value">{created.token}</code></p>
      <div className="form-buttons">
        <button type="button" ref={copyButton} onClick={() => void copy()}>Copy token</button>
        <button type="button" onClick={onDone}>Done</button>
        {copied && <span>{copied}</span>}
      </div>
    </div>
  );
}

export function TokensPage({ role }: { role: Role }) {
  const [tokens, setTokens] = useState<TokenView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [newRole, setNewRole] = useState<Role>('viewer');
  const [created, setCreated] = useState<Created | null>(null);
  const confirm = useConfirm();

  const reload = useCallback(async () => {
    try {
      setTokens(await get<TokenView[]>('/tokens'));
      setError(null);
    } catch (err) {
      setError(errorText(err));
    }
  }, []);
  useEffect(() => { if (role === 'admin') void reload(); }, [reload, role]);

  if (role !== 'admin') return <section><h2>API tokens</h2><p>Only an admin token may manage tokens.</p></section>;

  const create = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    try {
      setCreated(await api<Created>('POST', '/tokens', { name: name.trim(), role: newRole }));
      setName('');
      await reload();
    } catch (err) {
      setError(errorText(err));
    }
  };
  const revoke = async (id: string): Promise<void> => {
    try {
      await confirmedDelete(confirm, () => api('DELETE', `/tokens/${encodeURIComponent(id)}`));
    } catch (err) {
      setError(errorText(err));
      return;
    }
    await reload();
  };

  return (
    <section aria-labelledby="tokens-title">
      <div className="page-head"><h2 id="tokens-title">API tokens</h2></div>
      <p className="hint">Only a hash of each token is stored: a lost token cannot be shown again; revoke it and create a new one.</p>
      <form className="filters" onSubmit={(e) => void create(e)} aria-label="Create a token">
        <label>Name <input id="token-name" required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} placeholder="who or what it is for" /></label>
        <label>Role <select value={newRole} onChange={(e) => setNewRole(e.target.value as Role)}>
          <option value="viewer">viewer (read-only)</option><option value="admin">admin</option>
        </select></label>
        <button type="submit" className="primary">Create token</button>
      </form>
      {created && <NewToken created={created} onDone={() => { setCreated(null); focusFirst('#token-name'); }} />}
      {error && <p className="error" role="alert">{error}</p>}
      {tokens === null ? <p>Loading…</p> : (
        <div className="table-wrap">
          <table className="tokens">
            <thead><tr><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Created</th><th scope="col">Actions</th></tr></thead>
            <tbody>{tokens.map((t) => (
              <tr key={t.id} data-token={t.name}>
                <th scope="row">{t.name}</th>
                <td>{t.role}</td>
                <td>{time(t.createdAt)}</td>
                <td className="actions">{confirm.asking === t.id
                  ? <ConfirmBar label={`Revoke ${t.name}?`} yes="Yes, revoke" onYes={() => void revoke(t.id)} onCancel={confirm.cancel}>Revoke “{t.name}”? It stops working at once.</ConfirmBar>
                  : <button type="button" className="danger" data-confirm={t.id} onClick={() => confirm.ask(t.id)}>Revoke</button>}</td>
              </tr>
            ))}</tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** The log-in form: an API token, kept for this tab's session only. */
import { useState, type FormEvent } from 'react';

export function Login(props: { busy: boolean; error: string | null; onSubmit: (token: string) => void }) {
  const [token, setToken] = useState('');
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (token.trim()) props.onSubmit(token.trim());
  };
  return (
    <main className="login">
      <h1>Cloudbridge</h1>
      <form onSubmit={submit} aria-describedby="login-help">
        <label htmlFor="token">API token</label>
        <input id="token" name="token" type="password" autoComplete="off" required value={token} onChange={(e) => setToken(e.target.value)} autoFocus={!props.busy} />
        <p id="login-help" className="hint">The admin token is printed at the first start (or set with CLOUDBRIDGE_ADMIN_TOKEN); <code>cloudbridge token create</code> makes more. It is kept for this browser tab only.</p>
        {props.error && <p className="error" role="alert">{props.error}</p>}
        <button type="submit" disabled={props.busy}>{props.busy ? 'Checking…' : 'Log in'}</button>
      </form>
    </main>
  );
}

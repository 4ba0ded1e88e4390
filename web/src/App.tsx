/** The shell: log in, then the navigation and the page of the current route. */
import { useCallback, useEffect, useState } from 'react';
import { ApiError, errorText, get } from './api.ts';
import { Login } from './Login.tsx';
import { session, type Role } from './session.ts';
import { href, useRoute } from './route.ts';
import { IntegrationList } from './integrations/IntegrationList.tsx';
import { EventsPage } from './events/EventsPage.tsx';
import { DeadLettersPage } from './events/DeadLettersPage.tsx';
import { ForwarderList } from './forwarders/ForwarderList.tsx';
import { AuditPage } from './audit/AuditPage.tsx';
import { ConverterList } from './converters/ConverterList.tsx';
import { DeviceList } from './devices/DeviceList.tsx';
import { TokensPage } from './tokens/TokensPage.tsx';
import { ConverterEditor, DevicePage, ForwarderEditor, IntegrationEditor } from './lazy-pages.ts';
import { PageLoader } from './PageLoader.tsx';
import { SkipLink } from './SkipLink.tsx';
import { usePageChange } from './page-change.ts';

export function App() {
  const [role, setRole] = useState<Role | null>(null);
  const [checking, setChecking] = useState(() => session.token() !== null);
  const [error, setError] = useState<string | null>(null);
  const route = useRoute();
  const routeKey = JSON.stringify(route);
  usePageChange(routeKey, role !== null);

  const logIn = useCallback(async (token: string) => {
    session.set(token);
    setChecking(true);
    try {
      const answer = await get<{ role: Role | null }>('/session');
      if (!answer.role) throw new Error('token not accepted');
      setRole(answer.role);
      setError(null);
    } catch (err) {
      session.clear();
      setRole(null);
      setError(err instanceof ApiError && err.status === 401 ? 'This token is not accepted.' : errorText(err));
    } finally {
      setChecking(false);
    }
  }, []);

  useEffect(() => {
    const saved = session.token();
    if (saved) void logIn(saved);
  }, [logIn]);

  const logOut = (): void => {
    session.clear();
    setRole(null);
  };

  if (!role) return <Login busy={checking} error={error} onSubmit={logIn} />;
  const current = route.page === 'integrations' || route.page === 'integration' || route.page === 'integration-new' ? 'integrations'
    : route.page === 'converters' || route.page === 'converter' || route.page === 'converter-new' ? 'converters'
    : route.page === 'devices' || route.page === 'device' ? 'devices'
    : route.page === 'forwarders' || route.page === 'forwarder' || route.page === 'forwarder-new' ? 'forwarders' : route.page;
  return (
    <>
      <SkipLink />
      <header className="top">
        <h1>Cloudbridge</h1>
        <nav aria-label="Main">
          <a href={href.integrations} aria-current={current === 'integrations' ? 'page' : undefined}>Integrations</a>
          <a href={href.converters} aria-current={current === 'converters' ? 'page' : undefined}>Converters</a>
          <a href={href.devices} aria-current={current === 'devices' ? 'page' : undefined}>Devices</a>
          <a href={href.events()} aria-current={current === 'events' ? 'page' : undefined}>Events</a>
          <a href={href.deadLetters()} aria-current={current === 'dead-letters' ? 'page' : undefined}>Dead letters</a>
          <a href={href.forwarders} aria-current={current === 'forwarders' ? 'page' : undefined}>Forwarders</a>
          {role === 'admin' && <a href={href.tokens} aria-current={current === 'tokens' ? 'page' : undefined}>Tokens</a>}
          {role === 'admin' && <a href={href.audit} aria-current={current === 'audit' ? 'page' : undefined}>Audit log</a>}
        </nav>
        <div className="who">
          <span className={`role role-${role}`}>{role === 'admin' ? 'Admin' : 'Viewer (read-only)'}</span>
          <button type="button" onClick={logOut}>Log out</button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <PageLoader resetKey={routeKey}>
          {route.page === 'integrations' && <IntegrationList role={role} />}
          {route.page === 'integration-new' && <IntegrationEditor role={role} id={null} />}
          {route.page === 'integration' && <IntegrationEditor key={route.id} role={role} id={route.id} />}
          {route.page === 'converters' && <ConverterList role={role} />}
          {route.page === 'converter-new' && <ConverterEditor role={role} id={null} />}
          {route.page === 'converter' && <ConverterEditor key={route.id} role={role} id={route.id} />}
          {route.page === 'devices' && <DeviceList />}
          {route.page === 'device' && <DevicePage key={route.name} role={role} name={route.name} />}
          {route.page === 'tokens' && <TokensPage role={role} />}
          {route.page === 'events' && <EventsPage key={route.integration} integration={route.integration} />}
          {route.page === 'dead-letters' && <DeadLettersPage key={`${route.integration}|${route.stage ?? ''}`} role={role} integration={route.integration} stage={route.stage ?? ''} />}
          {route.page === 'forwarders' && <ForwarderList role={role} />}
          {route.page === 'forwarder-new' && <ForwarderEditor role={role} name={null} />}
          {route.page === 'forwarder' && <ForwarderEditor key={route.name} role={role} name={route.name} />}
          {route.page === 'audit' && <AuditPage role={role} />}
        </PageLoader>
      </main>
    </>
  );
}

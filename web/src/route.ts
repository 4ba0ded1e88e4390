/** Hash routes: #/integrations, #/integrations/new, #/integrations/<id>. */
import { useEffect, useState } from 'react';

export type Route =
  | { page: 'integrations' }
  | { page: 'integration-new' }
  | { page: 'integration'; id: string };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'integrations' && parts[1] === 'new') return { page: 'integration-new' };
  if (parts[0] === 'integrations' && parts[1]) return { page: 'integration', id: parts[1] };
  return { page: 'integrations' };
}

export const href = {
  integrations: '#/integrations',
  newIntegration: '#/integrations/new',
  integration: (id: string): string => `#/integrations/${encodeURIComponent(id)}`,
};

export function navigate(to: string): void {
  window.location.hash = to;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = (): void => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

/**
 * Hash routes: #/integrations[/new|/<id>], #/converters[/new|/<id>], #/devices[/<name>], #/tokens, #/events[?integration=<id>],
 * #/dead-letters[?integration=<id>][&stage=<stage>], #/forwarders[/new|/<name>], #/audit.
 */
import { useEffect, useState } from 'react';

export type Route =
  | { page: 'integrations' }
  | { page: 'integration-new' }
  | { page: 'integration'; id: string }
  | { page: 'converters' }
  | { page: 'converter-new' }
  | { page: 'converter'; id: string }
  | { page: 'devices' }
  | { page: 'device'; name: string }
  | { page: 'tokens' }
  | { page: 'events'; integration: string }
  | { page: 'dead-letters'; integration: string; stage?: string }
  | { page: 'forwarders' }
  | { page: 'forwarder-new' }
  | { page: 'forwarder'; name: string }
  | { page: 'audit' };

export function parseRoute(hash: string): Route {
  const [path = '', search = ''] = hash.split('?');
  const parts = path.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const integration = new URLSearchParams(search).get('integration') ?? '';
  if (parts[0] === 'events') return { page: 'events', integration };
  if (parts[0] === 'dead-letters') {
    const stage = new URLSearchParams(search).get('stage');
    return stage ? { page: 'dead-letters', integration, stage } : { page: 'dead-letters', integration };
  }
  if (parts[0] === 'forwarders' && parts[1] === 'new') return { page: 'forwarder-new' };
  if (parts[0] === 'forwarders' && parts[1]) return { page: 'forwarder', name: parts[1] };
  if (parts[0] === 'forwarders') return { page: 'forwarders' };
  if (parts[0] === 'audit') return { page: 'audit' };
  if (parts[0] === 'integrations' && parts[1] === 'new') return { page: 'integration-new' };
  if (parts[0] === 'integrations' && parts[1]) return { page: 'integration', id: parts[1] };
  if (parts[0] === 'converters' && parts[1] === 'new') return { page: 'converter-new' };
  if (parts[0] === 'converters' && parts[1]) return { page: 'converter', id: parts[1] };
  if (parts[0] === 'converters') return { page: 'converters' };
  if (parts[0] === 'devices' && parts[1]) return { page: 'device', name: parts[1] };
  if (parts[0] === 'devices') return { page: 'devices' };
  if (parts[0] === 'tokens') return { page: 'tokens' };
  return { page: 'integrations' };
}

export const href = {
  integrations: '#/integrations',
  newIntegration: '#/integrations/new',
  integration: (id: string): string => `#/integrations/${encodeURIComponent(id)}`,
  converters: '#/converters',
  newConverter: '#/converters/new',
  converter: (id: string): string => `#/converters/${encodeURIComponent(id)}`,
  devices: '#/devices',
  device: (name: string): string => `#/devices/${encodeURIComponent(name)}`,
  tokens: '#/tokens',
  events: (integration = ''): string => `#/events${integration ? `?integration=${encodeURIComponent(integration)}` : ''}`,
  deadLetters: (integration = '', stage = ''): string => {
    const q = new URLSearchParams();
    if (integration) q.set('integration', integration);
    if (stage) q.set('stage', stage);
    const text = q.toString();
    return `#/dead-letters${text ? `?${text}` : ''}`;
  },
  forwarders: '#/forwarders',
  newForwarder: '#/forwarders/new',
  forwarder: (name: string): string => `#/forwarders/${encodeURIComponent(name)}`,
  audit: '#/audit',
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

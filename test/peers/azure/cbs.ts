/**
 * The `$cbs` node: put-token with SAS validation. Success is answered with status 200 exactly
 * (azure-iothub accepts nothing else); a bad token gets 401, which the SDKs raise as
 * `UnauthorizedError`. A valid token becomes a grant on the connection.
 */
import type { KeyLookup } from './auth.ts';
import { checkSasToken } from './auth.ts';
import { CONDITIONS } from './conditions.ts';
import type { Reply, RequestContext, RequestNode } from './request-response.ts';
import { fail, ok } from './request-response.ts';

export function cbsNode(keysFor: KeyLookup, trace: (line: string) => void): RequestNode {
  return {
    style: 'kebab',
    matches: (address) => address.toLowerCase() === '$cbs',
    handle({ conn, message }: RequestContext): Reply {
      const props = message.application_properties ?? {};
      const operation: unknown = props['operation'];
      const audience = typeof props['name'] === 'string' ? props['name'] : undefined;
      if (operation !== 'put-token') return fail(400, CONDITIONS.notImplemented, `Unsupported $cbs operation '${String(operation)}'.`);
      if (props['type'] === 'jwt') return fail(401, CONDITIONS.unauthorized, 'The double accepts SAS tokens only, not JWT.');
      const check = checkSasToken(String(message.body), audience, keysFor, Date.now());
      if (!check.ok) {
        trace(`${conn.id} $cbs put-token ${audience ?? '?'} → 401 ${check.reason}`);
        return fail(401, CONDITIONS.unauthorized, check.reason);
      }
      conn.grants.push(check.grant);
      trace(`${conn.id} $cbs put-token ${audience ?? '?'} → 200 (key ${check.grant.keyName}, scope '${check.grant.scope}')`);
      return ok();
    },
  };
}

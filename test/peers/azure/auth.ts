/**
 * Authorization state per connection: the grants a connection earned through `$cbs` put-token
 * (or SASL PLAIN with a SAS token as password, as IoT Hub accepts), and the checks links and
 * management requests make against them.
 */
import type { SasKey, SasRight } from './sas.ts';
import { parseSasToken, pathCovers, resourcePath, signatureMatches } from './sas.ts';

export interface Grant {
  /** Entity path the token covers ('' = the whole namespace). */
  scope: string;
  rights: SasRight[];
  expiresAtMs: number;
  keyName: string;
}

export type KeyLookup = (entity: string) => SasKey[];

export type TokenCheck = { ok: true; grant: Grant } | { ok: false; reason: string };

const ALL_RIGHTS: SasRight[] = ['Listen', 'Send', 'Manage'];

/**
 * Validates a SAS token for `audience` (when given). `keysFor(entity)` returns the keys valid for
 * the first path segment of the token's resource: the namespace keys plus that entity's own keys.
 */
export function checkSasToken(token: string, audience: string | undefined, keysFor: KeyLookup, nowMs: number): TokenCheck {
  const parsed = parseSasToken(token);
  if (parsed === undefined) return { ok: false, reason: 'The token is not a valid SharedAccessSignature.' };
  if (parsed.expiresAtSec * 1000 <= nowMs) return { ok: false, reason: 'The token has expired.' };
  const scope = resourcePath(parsed.resource);
  const entity = scope.split('/')[0] ?? '';
  const key = keysFor(entity).find((k) => k.name === parsed.keyName);
  if (key === undefined) return { ok: false, reason: `Unknown shared access key name '${parsed.keyName ?? ''}'.` };
  if (!signatureMatches(parsed, key.key)) return { ok: false, reason: `The signature of the token with key name '${key.name}' does not match.` };
  if (audience !== undefined && !pathCovers(scope, resourcePath(audience))) {
    return { ok: false, reason: `The token audience '${parsed.resource}' does not cover '${audience}'.` };
  }
  return { ok: true, grant: { scope, rights: key.rights ?? ALL_RIGHTS, expiresAtMs: parsed.expiresAtSec * 1000, keyName: key.name } };
}

export function isAuthorized(grants: readonly Grant[], path: string, right: SasRight | undefined, nowMs: number): boolean {
  return grants.some((g) => g.expiresAtMs > nowMs && pathCovers(g.scope, path) && (right === undefined || g.rights.includes(right)));
}

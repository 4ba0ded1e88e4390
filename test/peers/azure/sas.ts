/**
 * Shared access signatures: parsing, validation and creation. Two signing conventions are in use:
 * `@azure/core-amqp` signs `encodeURIComponent(sr) + "\n" + se` with the key string's UTF-8 bytes;
 * `azure-iothub` signs the raw resource with the base64-decoded key (and Microsoft's IoT Hub
 * samples sign the encoded resource with the decoded key). Validation accepts all of them.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type SasRight = 'Listen' | 'Send' | 'Manage';

export interface SasKey {
  name: string;
  key: string;
  /** Rights granted by the key; all three when omitted. */
  rights?: SasRight[];
}

export interface SasToken {
  /** Decoded resource URI, e.g. `sb://localhost:5672/hub1` or `localhost:5671`. */
  resource: string;
  signature: string;
  expiresAtSec: number;
  keyName: string | undefined;
}

export function parseSasToken(token: string): SasToken | undefined {
  const prefix = 'SharedAccessSignature ';
  if (!token.startsWith(prefix)) return undefined;
  const fields = new Map<string, string>();
  for (const part of token.slice(prefix.length).split('&')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq), part.slice(eq + 1));
  }
  const sr = fields.get('sr');
  const sig = fields.get('sig');
  const se = Number(fields.get('se'));
  if (sr === undefined || sig === undefined || !Number.isFinite(se)) return undefined;
  const skn = fields.get('skn');
  try {
    return {
      resource: decodeURIComponent(sr),
      signature: decodeURIComponent(sig),
      expiresAtSec: se,
      keyName: skn === undefined ? undefined : decodeURIComponent(skn),
    };
  } catch {
    return undefined;
  }
}

function hmac(key: Buffer, text: string): Buffer {
  return createHmac('sha256', key).update(text, 'utf8').digest();
}

/** True when the token was signed with `key` under any of the conventions the SDKs use. */
export function signatureMatches(token: SasToken, key: string): boolean {
  const given = Buffer.from(token.signature, 'base64');
  const keys = [Buffer.from(key, 'utf8'), Buffer.from(key, 'base64')];
  const resources = [encodeURIComponent(token.resource), token.resource];
  for (const k of keys) {
    for (const r of resources) {
      const expected = hmac(k, `${r}\n${token.expiresAtSec}`);
      if (expected.length === given.length && timingSafeEqual(expected, given)) return true;
    }
  }
  return false;
}

export type SasConvention = 'utf8-key' | 'base64-key';

/** Creates a token the way the SDKs do (`utf8-key`: Event Hubs / Service Bus; `base64-key`: IoT Hub). */
export function createSasToken(resource: string, keyName: string, key: string, expiresAtSec: number, convention: SasConvention = 'utf8-key'): string {
  const encoded = encodeURIComponent(resource);
  const signingKey = convention === 'utf8-key' ? Buffer.from(key, 'utf8') : Buffer.from(key, 'base64');
  const sig = hmac(signingKey, `${encoded}\n${expiresAtSec}`).toString('base64');
  return `SharedAccessSignature sr=${encoded}&sig=${encodeURIComponent(sig)}&se=${expiresAtSec}&skn=${encodeURIComponent(keyName)}`;
}

/** The entity path of a token resource or audience: `sb://host:port/hub1/x` → `hub1/x`, `host:port` → ``. */
export function resourcePath(resource: string): string {
  const withoutScheme = resource.replace(/^[a-z]+:\/\//i, '');
  const slash = withoutScheme.indexOf('/');
  const path = slash < 0 ? '' : withoutScheme.slice(slash + 1);
  return path.replace(/\/+$/, '').toLowerCase();
}

/** True when `scope` (a token's resource path) covers `path` (an entity path). */
export function pathCovers(scope: string, path: string): boolean {
  const p = path.toLowerCase();
  return scope === '' || p === scope || p.startsWith(`${scope}/`);
}

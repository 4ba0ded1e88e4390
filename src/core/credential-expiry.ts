/**
 * Credentials whose expiry can be read from a connector's config, whatever the connector: X.509
 * certificates in PEM fields (client certificates, CA bundles) and shared access signatures
 * (`SharedAccessSignature sr=…&se=EPOCH…`, alone or inside an Azure connection string). Connectors
 * that learn an expiry only at run time report it in their status as `details.credentialExpiries`
 * (same shape). Never returns secret material: a credential is named by its config field.
 *
 * This is the one place expiries are turned into warnings (`CREDENTIAL_EXPIRY`, through
 * src/app/credential-watch.ts): connectors do not check expiry dates themselves.
 */
import { X509Certificate } from 'node:crypto';

export interface CredentialExpiry {
  /** The config field holding it, e.g. `tls.cert`, `connectionString`. */
  credential: string;
  /** Epoch ms. */
  expiresAt: number;
  /** What it is, for messages: `certificate "CN=…"`, `shared access signature`. */
  what: string;
  /** How to renew it, when the connector knows better than the generic advice (defaultFix). */
  fix?: string;
}

export type CredentialState = 'valid' | 'expiring' | 'expired';

/** A credential as the integration status shows it. */
export interface CredentialStatus extends Omit<CredentialExpiry, 'fix'> {
  state: CredentialState;
}

const DAY_MS = 86_400_000;
const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const SAS_EXPIRY = /SharedAccessSignature[^;]*?[?&\s]se=(\d{1,12})(?:[&;\s]|$)/i;

/** The certificate of a PEM text that expires first (null: none parses). */
export function certificateExpiry(credential: string, pem: string): CredentialExpiry | null {
  let soonest: CredentialExpiry | null = null;
  for (const block of pem.match(PEM_CERT) ?? []) {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(block);
    } catch {
      continue;
    }
    const expiresAt = Date.parse(cert.validTo);
    if (soonest === null || expiresAt < soonest.expiresAt) {
      soonest = { credential, expiresAt, what: `certificate "${cert.subject.replace(/\n/g, ', ')}"` };
    }
  }
  return soonest;
}

/** The expiry (`se`, epoch seconds) of a shared access signature in the text (null: none). */
export function sasExpiry(credential: string, text: string): CredentialExpiry | null {
  const match = SAS_EXPIRY.exec(text);
  return match ? { credential, expiresAt: Number(match[1]) * 1000, what: 'shared access signature' } : null;
}

/** Every known expiry in a (decrypted) connector config, walking nested objects and arrays. */
export function credentialExpiries(config: unknown, path = ''): CredentialExpiry[] {
  if (typeof config === 'string') {
    const found = config.includes('-----BEGIN CERTIFICATE-----') ? certificateExpiry(path, config) : sasExpiry(path, config);
    return found ? [found] : [];
  }
  if (Array.isArray(config)) return config.flatMap((v, i) => credentialExpiries(v, `${path}[${i}]`));
  if (config && typeof config === 'object') {
    return Object.entries(config).flatMap(([k, v]) => credentialExpiries(v, path ? `${path}.${k}` : k));
  }
  return [];
}

/** The expiries a connector reported in its status details (`details.credentialExpiries`). */
export function reportedExpiries(details: Record<string, unknown> | undefined): CredentialExpiry[] {
  const list = details?.credentialExpiries;
  if (!Array.isArray(list)) return [];
  return list.flatMap((item: unknown) => {
    const e = (item ?? {}) as Partial<Record<keyof CredentialExpiry, unknown>>;
    if (typeof e.credential !== 'string' || typeof e.expiresAt !== 'number') return [];
    const what = typeof e.what === 'string' ? e.what : 'credential';
    return [{ credential: e.credential, expiresAt: e.expiresAt, what, ...(typeof e.fix === 'string' ? { fix: e.fix } : {}) }];
  });
}

export function credentialState(e: CredentialExpiry, now: number, warnDays: number): CredentialState {
  if (e.expiresAt <= now) return 'expired';
  return e.expiresAt - now < warnDays * DAY_MS ? 'expiring' : 'valid';
}

/** The advice when the connector gives none: what to put where. */
export function defaultFix(e: CredentialExpiry): string {
  if (e.what.startsWith('certificate')) {
    const key = /(^|\.)cert$/.test(e.credential) ? ' (and its private key in the key field beside it)' : '';
    return `put a renewed certificate in ${e.credential}${key}; Cloudbridge reconnects with it without losing messages`;
  }
  if (e.what === 'shared access signature') return `generate a new shared access signature and put it in ${e.credential}; the integration restarts with it`;
  return `renew it and put the new one in ${e.credential}`;
}

function days(n: number): string {
  return `${n} day${n === 1 ? '' : 's'}`;
}

/**
 * The warning for an expiring or expired credential (null while valid): who holds it (`owner`,
 * e.g. `integration "plant"`), the field, the date, the days left and the fix; never the value.
 */
export function expiryWarning(owner: string, e: CredentialExpiry, now: number, warnDays: number): string | null {
  const state = credentialState(e, now, warnDays);
  const date = new Date(e.expiresAt).toISOString();
  const fix = e.fix ?? defaultFix(e);
  const plural = /\b(credentials|keys)$/.test(e.what.split(' (')[0] ?? '');
  if (state === 'expired') {
    return `${owner}: ${e.credential}: the ${e.what} expired on ${date} (${days(Math.floor((now - e.expiresAt) / DAY_MS))} ago) and ${plural ? 'are' : 'is'} refused: ${fix}`;
  }
  if (state === 'expiring') return `${owner}: ${e.credential}: the ${e.what} ${plural ? 'expire' : 'expires'} on ${date} (in ${days(Math.ceil((e.expiresAt - now) / DAY_MS))}): before then, ${fix}`;
  return null;
}

/**
 * Checks TLS material (PEM certificates and keys) before connecting: parse errors become
 * CONFIG_INVALID naming the field; certificates that expired or expire soon become warnings.
 * Never echoes key material.
 */
import { X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { CloudbridgeError } from '../../core/errors.ts';

export interface TlsMaterial {
  ca?: string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
  passphrase?: string | undefined;
}

const DAY_MS = 86_400_000;
const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function invalid(field: string, message: string): CloudbridgeError {
  return new CloudbridgeError('CONFIG_INVALID', `${field}: ${message}`, { field });
}

function certificates(field: string, pem: string): X509Certificate[] {
  const blocks = pem.match(PEM_CERT);
  if (!blocks) throw invalid(field, 'is not a PEM certificate (expected "-----BEGIN CERTIFICATE-----")');
  return blocks.map((block, i) => {
    try {
      return new X509Certificate(block);
    } catch (err) {
      throw invalid(field, `certificate ${i + 1} cannot be parsed (${err instanceof Error ? err.message : String(err)})`);
    }
  });
}

function expiryWarnings(field: string, certs: X509Certificate[], now: number, warnDays: number): string[] {
  const warnings: string[] = [];
  for (const cert of certs) {
    const validTo = Date.parse(cert.validTo);
    const validFrom = Date.parse(cert.validFrom);
    const subject = cert.subject.replace(/\n/g, ', ');
    if (validTo <= now) warnings.push(`${field}: certificate "${subject}" expired on ${new Date(validTo).toISOString()}: renew it`);
    else if (validFrom > now) warnings.push(`${field}: certificate "${subject}" is not valid before ${new Date(validFrom).toISOString()}`);
    else if (validTo - now < warnDays * DAY_MS) warnings.push(`${field}: certificate "${subject}" expires on ${new Date(validTo).toISOString()} (in ${Math.ceil((validTo - now) / DAY_MS)} days): renew it soon`);
  }
  return warnings;
}

/** An encrypted PKCS#8 key, or a traditional PEM key with a Proc-Type ENCRYPTED header. */
const ENCRYPTED_KEY = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,ENCRYPTED/;

/**
 * Validates the material at `prefix` (e.g. `tls`) and returns warnings. Throws CONFIG_INVALID for
 * unparsable PEM, a certificate without key (or the reverse), a wrong passphrase or a key that
 * does not match the certificate.
 */
export function checkTlsMaterial(tls: TlsMaterial, prefix = 'tls', now = Date.now(), warnDays = 30): string[] {
  const warnings: string[] = [];
  if (tls.cert && !tls.key) throw invalid(`${prefix}.key`, 'a client certificate (cert) needs its private key');
  if (tls.key && !tls.cert) throw invalid(`${prefix}.cert`, 'a private key needs its client certificate (cert)');
  if (tls.ca) warnings.push(...expiryWarnings(`${prefix}.ca`, certificates(`${prefix}.ca`, tls.ca), now, warnDays));
  if (tls.cert) warnings.push(...expiryWarnings(`${prefix}.cert`, certificates(`${prefix}.cert`, tls.cert), now, warnDays));
  if (tls.cert && tls.key) {
    try {
      createSecureContext({ cert: tls.cert, key: tls.key, ...(tls.passphrase ? { passphrase: tls.passphrase } : {}) });
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      const text = err instanceof Error ? err.message : String(err);
      if (/KEY_VALUES_MISMATCH/i.test(`${code} ${text}`)) throw invalid(`${prefix}.key`, 'the private key does not belong to the client certificate');
      // A wrong passphrase does not always surface as BAD_DECRYPT: OpenSSL may instead fail to parse
      // the garbage it decrypted (e.g. ERR_OSSL_UNSUPPORTED). Any load failure of an encrypted key is
      // therefore a passphrase problem.
      if (ENCRYPTED_KEY.test(tls.key) || /BAD_DECRYPT|bad decrypt|interrupted or cancelled/i.test(`${code} ${text}`)) {
        throw invalid(`${prefix}.passphrase`, 'the private key cannot be decrypted: wrong or missing passphrase');
      }
      throw invalid(`${prefix}.key`, `the private key cannot be loaded (${code || 'unreadable PEM'}): paste the whole PEM text including its BEGIN/END lines`);
    }
  }
  return warnings;
}

/**
 * Checks TLS material (PEM certificates and keys) before connecting: parse errors become
 * CONFIG_INVALID naming the field; a certificate not valid yet becomes a warning. Expiry dates are
 * not checked here: the credential watch (src/app/credential-watch.ts) is the one place that
 * warns about them (CREDENTIAL_EXPIRY). Never echoes key material.
 */
import { X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { CloudbridgeError } from '../../core/errors.ts';
import { checkKeyMatchesCertificate, loadPrivateKey } from './key-match.ts';

export interface TlsMaterial {
  ca?: string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
  passphrase?: string | undefined;
}

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

function notYetValidWarnings(field: string, certs: X509Certificate[], now: number): string[] {
  return certs.filter((cert) => Date.parse(cert.validFrom) > now).map((cert) => {
    const subject = cert.subject.replace(/\n/g, ', ');
    return `${field}: certificate "${subject}" is not valid before ${new Date(Date.parse(cert.validFrom)).toISOString()}: the connection fails until then (check this machine's clock)`;
  });
}

/**
 * Validates the material at `prefix` (e.g. `tls`) and returns warnings. Throws CONFIG_INVALID for
 * unparsable PEM, a certificate without key (or the reverse), a wrong passphrase or a key that
 * does not match the certificate (any key type: key-match.ts).
 */
export function checkTlsMaterial(tls: TlsMaterial, prefix = 'tls', now = Date.now()): string[] {
  const warnings: string[] = [];
  if (tls.cert && !tls.key) throw invalid(`${prefix}.key`, 'a client certificate (cert) needs its private key');
  if (tls.key && !tls.cert) throw invalid(`${prefix}.cert`, 'a private key needs its client certificate (cert)');
  if (tls.ca) warnings.push(...notYetValidWarnings(`${prefix}.ca`, certificates(`${prefix}.ca`, tls.ca), now));
  const chain = tls.cert ? certificates(`${prefix}.cert`, tls.cert) : [];
  warnings.push(...notYetValidWarnings(`${prefix}.cert`, chain, now));
  const leaf = chain[0];
  if (tls.cert && tls.key && leaf) {
    checkKeyMatchesCertificate(leaf, loadPrivateKey(tls.key, tls.passphrase, prefix), prefix);
    try {
      createSecureContext({ cert: tls.cert, key: tls.key, ...(tls.passphrase ? { passphrase: tls.passphrase } : {}) });
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      throw invalid(`${prefix}.key`, `the certificate and key cannot be used for TLS (${code || 'rejected by OpenSSL'}): use a PEM certificate and its private key`);
    }
  }
  return warnings;
}

/**
 * Checks the X.509 credentials before every connection: the PEM texts parse, the key matches the
 * certificate (and decrypts with the passphrase), the certificate is inside its validity period.
 * An expired or not-yet-valid certificate is refused (AWS IoT would refuse it anyway, with a TLS
 * alert that names nothing). A certificate nearing its expiry is the credential watch's to warn
 * about (CREDENTIAL_EXPIRY, src/app/credential-watch.ts, with `renewAdvice` as the fix), not this
 * module's. Never echoes key material.
 */
import { X509Certificate } from 'node:crypto';
import { CloudbridgeError } from '../../core/errors.ts';
import type { WarningCode } from '../../core/warnings.ts';
import { checkTlsMaterial } from '../mqtt/index.ts';

/** Public facts about the client certificate (status, events, the expiry gauge). */
export interface CertificateInfo {
  subject: string;
  issuer: string;
  serialNumber: string;
  /** Epoch ms. */
  notBefore: number;
  notAfter: number;
  fingerprint256: string;
}

export interface CredentialWarning {
  code: WarningCode;
  message: string;
  details: Record<string, unknown>;
}

export interface AwsIotCredentials {
  cert: string;
  key: string;
  passphrase?: string | undefined;
  ca?: string | undefined;
}

export const RENEW_ADVICE = 'create a new certificate in AWS IoT (Security → Certificates, or `aws iot create-keys-and-certificate`), activate it, attach the same policy and thing, then put it in credentials.cert and its key in credentials.key';

function oneLine(name: string): string {
  return name.replace(/\n/g, ', ');
}

/** The first certificate of a PEM text (the leaf of a chain). */
export function certificateInfo(pem: string): CertificateInfo {
  const cert = new X509Certificate(pem);
  return {
    subject: oneLine(cert.subject),
    issuer: oneLine(cert.issuer),
    serialNumber: cert.serialNumber,
    notBefore: Date.parse(cert.validFrom),
    notAfter: Date.parse(cert.validTo),
    fingerprint256: cert.fingerprint256,
  };
}

/** The fix of the CREDENTIAL_EXPIRY warning for a credentials.* field (the connector's `renewAdvice`). */
export function renewAdvice(credential: string): string | undefined {
  if (credential === 'credentials.cert') return `${RENEW_ADVICE}; Cloudbridge reconnects with it without losing messages`;
  if (credential === 'credentials.ca') return 'put the renewed CA certificate in credentials.ca, or remove credentials.ca to trust the Amazon Root CAs built into Node.js (ATS endpoints)';
  return undefined;
}

/**
 * Validates the credentials at `now`. Throws CONFIG_INVALID naming the credentials.* field for
 * unparsable PEM, a key that does not match or does not decrypt, and an expired or not yet valid
 * certificate. Returns the certificate facts and the warnings (a CA certificate not valid yet).
 */
export function checkCredentials(creds: AwsIotCredentials, now: number): { certificate: CertificateInfo; warnings: CredentialWarning[] } {
  checkTlsMaterial({ cert: creds.cert, key: creds.key, passphrase: creds.passphrase }, 'credentials', now);
  const caWarnings = creds.ca ? checkTlsMaterial({ ca: creds.ca }, 'credentials', now) : [];
  const info = certificateInfo(creds.cert);
  if (info.notAfter <= now) {
    throw new CloudbridgeError('CONFIG_INVALID',
      `credentials.cert: the certificate "${info.subject}" expired on ${new Date(info.notAfter).toISOString()} and AWS IoT refuses it: ${RENEW_ADVICE}`,
      { field: 'credentials.cert', expiredAt: new Date(info.notAfter).toISOString() });
  }
  if (info.notBefore > now) {
    throw new CloudbridgeError('CONFIG_INVALID',
      `credentials.cert: the certificate "${info.subject}" is not valid before ${new Date(info.notBefore).toISOString()}: check this machine's clock, or wait until then`,
      { field: 'credentials.cert' });
  }
  const warnings: CredentialWarning[] = caWarnings.map((message) => ({ code: 'CONFIG_WARNING', message, details: { field: 'credentials.ca' } }));
  return { certificate: info, warnings };
}

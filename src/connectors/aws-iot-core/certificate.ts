/**
 * Checks the X.509 credentials before every connection: the PEM texts parse, the key matches the
 * certificate (and decrypts with the passphrase), the certificate is inside its validity period.
 * An expired or not-yet-valid certificate is refused (AWS IoT would refuse it anyway, with a TLS
 * alert that names nothing); one expiring within `warnDays` gives a warning. Never echoes key material.
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

export const CERTIFICATE_EXPIRY_WARNING = 'TLS_CERTIFICATE_EXPIRY' satisfies WarningCode;
const DAY_MS = 86_400_000;
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

/** The warning for a certificate expiring within `warnDays`, or null. */
export function expiryWarning(info: CertificateInfo, now: number, warnDays: number): CredentialWarning | null {
  const left = info.notAfter - now;
  if (left <= 0 || left >= warnDays * DAY_MS) return null;
  const days = Math.ceil(left / DAY_MS);
  const expiresAt = new Date(info.notAfter).toISOString();
  return {
    code: CERTIFICATE_EXPIRY_WARNING,
    message: `credentials.cert: the certificate "${info.subject}" expires on ${expiresAt} (in ${days} day${days === 1 ? '' : 's'}); AWS IoT refuses it after that: ${RENEW_ADVICE}. Cloudbridge reconnects with the new certificate without losing messages`,
    details: { field: 'credentials.cert', subject: info.subject, serialNumber: info.serialNumber, expiresAt, expiresInSeconds: Math.floor(left / 1000) },
  };
}

/**
 * Validates the credentials at `now`. Throws CONFIG_INVALID naming the credentials.* field for
 * unparsable PEM, a key that does not match or does not decrypt, and an expired or not yet valid
 * certificate. Returns the certificate facts and the warnings (expiring soon, CA expiring).
 */
export function checkCredentials(creds: AwsIotCredentials, now: number, warnDays: number): { certificate: CertificateInfo; warnings: CredentialWarning[] } {
  checkTlsMaterial({ cert: creds.cert, key: creds.key, passphrase: creds.passphrase }, 'credentials', now, warnDays);
  const caWarnings = creds.ca ? checkTlsMaterial({ ca: creds.ca }, 'credentials', now, warnDays) : [];
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
  const warnings: CredentialWarning[] = caWarnings.map((message) => ({ code: CERTIFICATE_EXPIRY_WARNING, message, details: { field: 'credentials.ca' } }));
  const soon = expiryWarning(info, now, warnDays);
  if (soon) warnings.unshift(soon);
  return { certificate: info, warnings };
}

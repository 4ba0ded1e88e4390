/**
 * Does a private key belong to a client certificate? Compares the certificate's public key with
 * the public key derived from the private key, for every key type (RSA, EC, Ed25519, Ed448, ...).
 * OpenSSL's own check when a TLS context is built (KEY_VALUES_MISMATCH) compares a key only with a
 * certificate of its own type: an EC key beside an RSA certificate loads without a complaint and
 * the broker then refuses the handshake with an alert that names nothing. Never echoes key material.
 */
import { createPrivateKey, createPublicKey, type KeyObject, type X509Certificate } from 'node:crypto';
import { CloudbridgeError } from '../../core/errors.ts';

/** An encrypted PKCS#8 key, or a traditional PEM key with a Proc-Type ENCRYPTED header. */
const ENCRYPTED_KEY = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,ENCRYPTED/;

function invalid(field: string, message: string): CloudbridgeError {
  return new CloudbridgeError('CONFIG_INVALID', `${field}: ${message}`, { field });
}

/** "RSA 2048 bits", "EC P-256", "Ed25519": public facts of a key, never its material. */
export function describeKey(key: KeyObject): string {
  const type = key.asymmetricKeyType ?? 'unknown';
  const d = key.asymmetricKeyDetails ?? {};
  if (type === 'rsa' || type === 'rsa-pss') return `${type.toUpperCase()} ${d.modulusLength ?? '?'} bits`;
  if (type === 'ec') return `EC ${d.namedCurve === 'prime256v1' ? 'P-256' : d.namedCurve ?? ''}`.trim();
  if (type === 'ed25519') return 'Ed25519';
  if (type === 'ed448') return 'Ed448';
  return type.toUpperCase();
}

/** Loads a PEM private key; a load failure is CONFIG_INVALID naming `<prefix>.passphrase` or `<prefix>.key`. */
export function loadPrivateKey(pem: string, passphrase: string | undefined, prefix: string): KeyObject {
  try {
    return createPrivateKey({ key: pem, format: 'pem', ...(passphrase ? { passphrase } : {}) });
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    const text = err instanceof Error ? err.message : String(err);
    // A wrong passphrase does not always surface as BAD_DECRYPT: OpenSSL may instead fail to parse
    // the garbage it decrypted (e.g. ERR_OSSL_UNSUPPORTED). Any load failure of an encrypted key is
    // therefore a passphrase problem.
    if (ENCRYPTED_KEY.test(pem) || /BAD_DECRYPT|bad decrypt|interrupted or cancelled|passphrase/i.test(`${code} ${text}`)) {
      throw invalid(`${prefix}.passphrase`, 'the private key cannot be decrypted: wrong or missing passphrase');
    }
    throw invalid(`${prefix}.key`, `the private key cannot be loaded (${code || 'unreadable PEM'}): paste the whole PEM text including its BEGIN/END lines`);
  }
}

/**
 * Throws CONFIG_INVALID naming `<prefix>.key` when `key` is not the private key of `cert` (the
 * first certificate of the PEM text: the leaf of a chain), saying both key types.
 */
export function checkKeyMatchesCertificate(cert: X509Certificate, key: KeyObject, prefix: string): void {
  const fromKey = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const fromCert = cert.publicKey.export({ type: 'spki', format: 'der' });
  if (fromKey.equals(fromCert)) return;
  const keyKind = describeKey(key);
  const certKind = describeKey(cert.publicKey);
  const kinds = keyKind === certKind ? `both are ${keyKind}, but of different key pairs` : `the key is ${keyKind}, the certificate's key is ${certKind}`;
  throw invalid(`${prefix}.key`, `the private key does not belong to the client certificate (${kinds}): put the key the certificate "${cert.subject.replace(/\n/g, ', ')}" was issued for in ${prefix}.key, or the certificate of this key in ${prefix}.cert`);
}

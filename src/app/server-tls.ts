/**
 * HTTPS for the API and UI (`server.tls: {cert, key}`, docs/configuration.md "Server"): each a PEM
 * file path (relative to the config file's directory) or the PEM text itself. Read and checked at
 * start, before anything else opens: a missing or unreadable file, text that is no certificate or
 * no private key, an encrypted key or a key of another certificate is CONFIG_INVALID naming the
 * field and the fix; a key's text never appears in a message. Also: whether an address is loopback,
 * for the warning about plain HTTP on the network.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { CloudbridgeError } from '../core/errors.ts';

export interface ServerTlsConfig {
  cert: string;
  key: string;
}

/** What Fastify's `https` option takes. */
export interface ServerTls {
  cert: string;
  key: string;
  /** The certificate's expiry (epoch ms), for the log. */
  validTo: number;
}

const isInlinePem = (value: string): boolean => value.trimStart().startsWith('-----BEGIN');

/** The config with relative file paths made absolute against `baseDir` (the config file's directory). */
export function resolveServerTlsPaths(tls: ServerTlsConfig, baseDir: string): ServerTlsConfig {
  const abs = (v: string): string => (isInlinePem(v) || isAbsolute(v) ? v : resolve(baseDir, v));
  return { cert: abs(tls.cert), key: abs(tls.key) };
}

function invalid(field: 'cert' | 'key', message: string): CloudbridgeError {
  return new CloudbridgeError('CONFIG_INVALID', `server.tls.${field}: ${message}`, { field: `server.tls.${field}` });
}

function readPem(field: 'cert' | 'key', value: string): string {
  if (isInlinePem(value)) return value;
  try {
    return readFileSync(value, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw invalid(field, `cannot read ${value} (${code}); give the path of a PEM file (relative to the config file's directory) or the PEM text starting with -----BEGIN`);
  }
}

/** Reads and checks the certificate and key; throws CONFIG_INVALID naming server.tls.cert or .key. */
export function loadServerTls(tls: ServerTlsConfig): ServerTls {
  const cert = readPem('cert', tls.cert);
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch {
    throw invalid('cert', 'is not a PEM certificate; give the server certificate (-----BEGIN CERTIFICATE-----), followed by its intermediate certificates if any');
  }
  const key = readPem('key', tls.key);
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(key)) {
    throw invalid('key', 'is encrypted; give the key unencrypted (openssl pkey -in key.pem -out plain.pem) and protect the file (mode 0600)');
  }
  let keyObject: KeyObject;
  try {
    keyObject = createPrivateKey(key);
  } catch {
    throw invalid('key', 'is not a PEM private key; give the private key of server.tls.cert (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA/EC PRIVATE KEY-----)');
  }
  if (!x509.checkPrivateKey(keyObject)) {
    throw invalid('key', `does not belong to the certificate in server.tls.cert (subject ${x509.subject.replace(/\n/g, ', ')}); give the key that certificate was issued for`);
  }
  return { cert, key, validTo: Date.parse(x509.validTo) };
}

/** Whether `host` (server.host) only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h) || h === '::ffff:127.0.0.1';
}

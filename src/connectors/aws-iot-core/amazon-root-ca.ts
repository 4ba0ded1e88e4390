/**
 * The default trust for AWS IoT ATS endpoints: Amazon Root CA 1 (RSA) and Amazon Root CA 3 (ECC),
 * taken from the Mozilla-derived root store compiled into Node.js (`tls.rootCertificates`) rather
 * than a copy bundled with Cloudbridge, so they are updated with Node itself. Each is matched by its
 * published SHA-256 fingerprint, never by name alone.
 */
import { X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { CloudbridgeError } from '../../core/errors.ts';

const AMAZON_ROOTS = [
  { name: 'Amazon Root CA 1', sha256: '8E:CD:E6:88:4F:3D:87:B1:12:5B:A3:1A:C3:FC:B1:3D:70:16:DE:7F:57:CC:90:4F:E1:CB:97:C6:AE:98:19:6E' },
  { name: 'Amazon Root CA 3', sha256: '18:CE:6C:FE:7B:F1:4E:60:B2:E3:47:B8:DF:E8:68:CB:31:D0:2E:BB:3A:DA:27:15:69:F5:03:43:B4:6D:B3:A4' },
] as const;

export interface DefaultTrust {
  /** PEM texts of the roots found. */
  pem: string;
  /** Human-readable origin, for status and error messages. */
  source: string;
}

let cached: DefaultTrust | null = null;

/**
 * Amazon Root CA 1 (+ CA 3) from Node's root store. Throws CONFIG_INVALID naming credentials.ca
 * when this Node.js build lacks Amazon Root CA 1.
 */
export function amazonRootTrust(): DefaultTrust {
  if (cached) return cached;
  const wanted = new Map<string, string>(AMAZON_ROOTS.map((r) => [r.sha256, r.name]));
  const found: Array<{ name: string; pem: string }> = [];
  for (const pem of rootCertificates) {
    const name = wanted.get(new X509Certificate(pem).fingerprint256);
    if (name) found.push({ name, pem });
  }
  if (!found.some((f) => f.name === 'Amazon Root CA 1')) {
    throw new CloudbridgeError('CONFIG_INVALID',
      'credentials.ca: this Node.js has no Amazon Root CA 1 in its built-in root store: paste AmazonRootCA1.pem (from https://www.amazontrust.com/repository/AmazonRootCA1.pem) into credentials.ca',
      { field: 'credentials.ca' });
  }
  cached = {
    pem: found.map((f) => f.pem).join('\n'),
    source: `${found.map((f) => f.name).join(' and ')} from the Node.js ${process.versions.node} root store`,
  };
  return cached;
}

/**
 * A throw-away PKI for TLS tests, made with the openssl CLI (EC P-256): a CA, a server certificate
 * for 127.0.0.1/localhost, client certificates whose CN is the identity, and encrypted keys.
 *
 *   const pki = await createTestPki();
 *   const server = await pki.issue('broker', { server: true });
 *   after(() => pki.dispose());
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const OPENSSL = process.env.OPENSSL_BIN ?? 'openssl';

export interface IssuedCert {
  /** PEM texts. */
  cert: string;
  key: string;
}

export interface TestPki {
  readonly dir: string;
  /** The CA certificate (PEM). */
  readonly ca: string;
  /** Issues a certificate signed by this CA. Server certificates carry SAN DNS:localhost, IP:127.0.0.1. */
  issue(commonName: string, opts?: { server?: boolean; days?: number }): Promise<IssuedCert>;
  /** The key encrypted with AES-256 under `passphrase` (PEM). */
  encryptKey(key: string, passphrase: string): Promise<string>;
  dispose(): Promise<void>;
}

function safeName(cn: string): string {
  return cn.replace(/[^A-Za-z0-9_.-]/g, '_');
}

export async function createTestPki(caName = 'Cloudbridge Test CA'): Promise<TestPki> {
  const dir = await mkdtemp(join(tmpdir(), 'cb-pki-'));
  const caKey = join(dir, 'ca.key');
  const caCert = join(dir, 'ca.crt');
  await run(OPENSSL, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', caKey, '-out', caCert, '-days', '3650', '-subj', `/CN=${caName}`]);
  const ca = await readFile(caCert, 'utf8');
  let serial = 1;

  return {
    dir,
    ca,
    async issue(commonName, opts = {}) {
      const base = join(dir, `${safeName(commonName)}-${serial}`);
      const ext = `${base}.ext`;
      await writeFile(ext, [
        'basicConstraints=CA:FALSE',
        'keyUsage=digitalSignature,keyEncipherment',
        `extendedKeyUsage=${opts.server ? 'serverAuth' : 'clientAuth'}`,
        ...(opts.server ? ['subjectAltName=DNS:localhost,IP:127.0.0.1'] : []),
      ].join('\n'));
      await run(OPENSSL, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
        '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', `/CN=${commonName}`]);
      await run(OPENSSL, ['x509', '-req', '-in', `${base}.csr`, '-CA', caCert, '-CAkey', caKey,
        '-set_serial', String(serial++), '-days', String(opts.days ?? 365), '-extfile', ext, '-out', `${base}.crt`]);
      return { cert: await readFile(`${base}.crt`, 'utf8'), key: await readFile(`${base}.key`, 'utf8') };
    },
    async encryptKey(key, passphrase) {
      const file = join(dir, `plain-${serial++}.key`);
      await writeFile(file, key, { mode: 0o600 });
      const { stdout } = await run(OPENSSL, ['pkey', '-in', file, '-aes256', '-passout', `pass:${passphrase}`]);
      return stdout;
    },
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

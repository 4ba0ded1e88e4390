/**
 * A throw-away PKI for TLS tests, made with the openssl CLI (EC P-256): a CA, a server certificate
 * for 127.0.0.1/localhost, client certificates whose CN is the identity, and encrypted keys.
 *
 *   const pki = await createTestPki();
 *   const server = await pki.issue('broker', { server: true });
 *   const expired = await pki.issue('device-001', { notBefore: new Date('2020-01-01'), notAfter: new Date('2020-01-02') });
 *   after(() => pki.dispose());
 *
 * Explicit validity dates (e.g. an already expired certificate) are issued with `openssl ca`,
 * because `openssl x509 -req` in OpenSSL 3.0 can only set a number of days from now.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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

export interface IssueOptions {
  /** A server certificate (SAN DNS:localhost, IP:127.0.0.1) instead of a client one. */
  server?: boolean;
  /** Valid from now for this many days (default 365). Ignored when notBefore/notAfter are given. */
  days?: number;
  /** Explicit validity period (both or either; the other defaults to now / now + days). */
  notBefore?: Date;
  notAfter?: Date;
}

export interface TestPki {
  readonly dir: string;
  /** The CA certificate (PEM). */
  readonly ca: string;
  /** Issues a certificate signed by this CA. Server certificates carry SAN DNS:localhost, IP:127.0.0.1. */
  issue(commonName: string, opts?: IssueOptions): Promise<IssuedCert>;
  /** The key encrypted with AES-256 under `passphrase` (PEM). */
  encryptKey(key: string, passphrase: string): Promise<string>;
  dispose(): Promise<void>;
}

function safeName(cn: string): string {
  return cn.replace(/[^A-Za-z0-9_.-]/g, '_');
}

/** ASN.1 GeneralizedTime as `openssl ca -startdate/-enddate` takes it: YYYYMMDDHHMMSSZ. */
function opensslDate(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** A minimal `openssl ca` configuration (database, serial file, any subject) in `dir`. */
async function caConfig(dir: string, caCert: string, caKey: string): Promise<string> {
  const file = join(dir, 'openssl-ca.cnf');
  await mkdir(join(dir, 'issued'), { recursive: true });
  await writeFile(join(dir, 'index.txt'), '', { flag: 'a' });
  await writeFile(file, [
    '[ ca ]', 'default_ca = test_ca',
    '[ test_ca ]',
    `database = ${join(dir, 'index.txt')}`, `new_certs_dir = ${join(dir, 'issued')}`, `serial = ${join(dir, 'serial')}`,
    `certificate = ${caCert}`, `private_key = ${caKey}`,
    'default_md = sha256', 'policy = policy_any', 'unique_subject = no', 'email_in_dn = no', 'copy_extensions = none',
    '[ policy_any ]', 'commonName = supplied',
  ].join('\n'));
  return file;
}

export async function createTestPki(caName = 'Cloudbridge Test CA'): Promise<TestPki> {
  const dir = await mkdtemp(join(tmpdir(), 'cb-pki-'));
  const caKey = join(dir, 'ca.key');
  const caCert = join(dir, 'ca.crt');
  await run(OPENSSL, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', caKey, '-out', caCert, '-days', '3650', '-subj', `/CN=${caName}`]);
  const ca = await readFile(caCert, 'utf8');
  let serial = 1;
  let caConfigFile: string | null = null;

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
      if (opts.notBefore || opts.notAfter) {
        caConfigFile ??= await caConfig(dir, caCert, caKey);
        const hex = (serial++).toString(16);
        await writeFile(join(dir, 'serial'), `${hex.length % 2 ? '0' : ''}${hex}\n`);
        const notBefore = opts.notBefore ?? new Date();
        const notAfter = opts.notAfter ?? new Date(notBefore.getTime() + (opts.days ?? 365) * 86_400_000);
        await run(OPENSSL, ['ca', '-batch', '-config', caConfigFile, '-in', `${base}.csr`, '-out', `${base}.crt`, '-notext',
          '-startdate', opensslDate(notBefore), '-enddate', opensslDate(notAfter), '-extfile', ext]);
      } else {
        await run(OPENSSL, ['x509', '-req', '-in', `${base}.csr`, '-CA', caCert, '-CAkey', caKey,
          '-set_serial', String(serial++), '-days', String(opts.days ?? 365), '-extfile', ext, '-out', `${base}.crt`]);
      }
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

/**
 * A throw-away TLS certificate for `localhost` / 127.0.0.1, made with `openssl` in a temp dir, and
 * process-wide trust for it. `azure-iothub` offers no CA option and hard-codes TLS, so the test
 * process trusts the certificate through Node's default CA list (`tls.setDefaultCACertificates`,
 * which later connections without an explicit `ca` use). Child processes get `certPath` for
 * `NODE_EXTRA_CA_CERTS` instead.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { CloudbridgeError } from '../../../src/core/errors.ts';

const run = promisify(execFile);

export interface TestCertificate {
  certPem: string;
  keyPem: string;
  /** PEM file of the certificate (it is its own CA): use for NODE_EXTRA_CA_CERTS. */
  certPath: string;
  dir: string;
  remove(): Promise<void>;
}

export async function createTestCertificate(): Promise<TestCertificate> {
  const dir = await mkdtemp(join(tmpdir(), 'azure-double-tls-'));
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  try {
    await run('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1',
      '-addext', 'basicConstraints=critical,CA:TRUE',
    ], { timeout: 20_000 });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw new CloudbridgeError('INTERNAL', 'Azure double: openssl could not create the test certificate', {}, { cause: err });
  }
  const [certPem, keyPem] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
  return { certPem, keyPem, certPath, dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

const trusted = new Map<string, number>();
let baseline: string[] | undefined;

function applyTrust(): void {
  baseline ??= tls.getCACertificates('default');
  tls.setDefaultCACertificates([...baseline, ...trusted.keys()]);
}

/** Adds the certificate to this process's default CA list; the returned function removes it again. */
export function trustInProcess(certPem: string): () => void {
  trusted.set(certPem, (trusted.get(certPem) ?? 0) + 1);
  applyTrust();
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const n = (trusted.get(certPem) ?? 1) - 1;
    if (n <= 0) trusted.delete(certPem);
    else trusted.set(certPem, n);
    applyTrust();
  };
}

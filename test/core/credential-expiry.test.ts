/** Credential expiries read from a connector config: certificates (generated here), shared access signatures. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { credentialExpiries, credentialState, expiryWarning, reportedExpiries, sasExpiry } from '../../src/core/credential-expiry.ts';
import { createTestPki, type IssuedCert, type TestPki } from '../peers/test-pki.ts';

const DAY = 86_400_000;

describe('credential expiries', () => {
  let pki: TestPki;
  let soon: IssuedCert;
  let expired: IssuedCert;
  before(async () => {
    pki = await createTestPki();
    soon = await pki.issue('soon', { days: 2 });
    expired = await pki.issue('gone', { notBefore: new Date(Date.now() - 10 * DAY), notAfter: new Date(Date.now() - DAY) });
  });
  after(() => pki?.dispose());

  it('finds certificates and signatures anywhere in a config, named by their field, the soonest certificate of a bundle', () => {
    const se = 1_900_000_000;
    const found = credentialExpiries({
      host: 'x', port: 8883,
      tls: { ca: `${pki.ca}\n${soon.cert}`, cert: expired.cert, key: expired.key },
      hubs: [{ connectionString: `Endpoint=sb://ns.servicebus.windows.net/;SharedAccessSignature=SharedAccessSignature sr=sb%3A%2F%2Fns&sig=abc%3D&se=${se}&skn=listen;EntityPath=q` }],
      plainKey: 'Endpoint=sb://ns/;SharedAccessKeyName=p;SharedAccessKey=k',
    });
    assert.deepEqual(found.map((f) => [f.credential, f.what]), [
      ['tls.ca', 'certificate "CN=soon"'],
      ['tls.cert', 'certificate "CN=gone"'],
      ['hubs[0].connectionString', 'shared access signature'],
    ]);
    assert.equal(found[2]?.expiresAt, se * 1000);
    const now = Date.now();
    assert.deepEqual(found.map((f) => credentialState(f, now, 30)), ['expiring', 'expired', 'valid']);
    assert.match(expiryWarning('integration "p"', found[1]!, now, 30) ?? '', /^integration "p": tls\.cert: the certificate "CN=gone" expired on \d{4}-\S+ \(1 day ago\) and is refused: put a renewed certificate in tls\.cert/);
    assert.match(expiryWarning('integration "p"', found[0]!, now, 30) ?? '', /^integration "p": tls\.ca: the certificate "CN=soon" expires on \S+ \(in 2 days\): before then, put a renewed certificate in tls\.ca; /);
    assert.equal(expiryWarning('integration "p"', found[2]!, now, 30), null);
    const sas = { ...found[2]!, expiresAt: now + 1.5 * DAY };
    assert.match(expiryWarning('integration "bus"', sas, now, 30) ?? '', /^integration "bus": hubs\[0\]\.connectionString: the shared access signature expires on \S+ \(in 2 days\): before then, generate a new shared access signature and put it in hubs\[0\]\.connectionString/);
  });

  it('a bare SAS token; text without one; connector-reported expiries are checked for shape', () => {
    assert.equal(sasExpiry('token', 'SharedAccessSignature sr=a&sig=b&se=1700000000')?.expiresAt, 1_700_000_000_000);
    assert.equal(sasExpiry('x', 'Endpoint=sb://a/;SharedAccessKeyName=n;SharedAccessKey=se=1'), null);
    assert.deepEqual(reportedExpiries({ credentialExpiries: [{ credential: 'sessionToken', expiresAt: 5, what: 'temporary AWS keys', fix: 'refresh them' }, { credential: 1 }, null] }),
      [{ credential: 'sessionToken', expiresAt: 5, what: 'temporary AWS keys', fix: 'refresh them' }]);
    assert.equal(expiryWarning('integration "q"', { credential: 'credentials', expiresAt: 10 * DAY, what: 'temporary AWS keys', fix: 'refresh them' }, 8 * DAY, 30),
      'integration "q": credentials: the temporary AWS keys expire on 1970-01-11T00:00:00.000Z (in 2 days): before then, refresh them');
    assert.deepEqual(reportedExpiries(undefined), []);
  });
});

/**
 * AWS_IOT → aws-iot-core. ThingsBoard forces port 8883, a clean session and keep-alive 60 s;
 * Cloudbridge defaults to 8883 with a persistent session (MQTT 5), so messages published while it
 * is down are kept by AWS IoT. The client certificate is written as it is (public), its private key
 * and passphrase become secrets; a CA that is Amazon Root CA 1 or 3 is left out (the default).
 */
import { X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { derivedId, putConnectTimeout, putProtocolVersion, putSecret, topicFilters, typeMapping } from './common.ts';

const MAX_FILTERS = 8;

function fingerprint(pem: string): string | undefined {
  try {
    return new X509Certificate(pem).fingerprint256;
  } catch {
    return undefined;
  }
}

/** True when every certificate of `pem` is an Amazon root that Node's root store holds. */
function isAmazonRoot(pem: string): boolean {
  const amazon = new Set(rootCertificates.filter((p) => { try { return new X509Certificate(p).subject.includes('O=Amazon'); } catch { return false; } }).map(fingerprint));
  const certs = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return certs.length > 0 && certs.every((c) => amazon.has(fingerprint(c)));
}

export const awsIot = typeMapping('AWS_IOT', 'aws-iot-core', (top, ctx) => {
  const cc = top.child('clientConfiguration');
  const config: Record<string, unknown> = { endpoint: cc.str('host') ?? '' };
  const clientId = cc.str('clientId');
  config.clientId = clientId ?? derivedId(ctx.name, 128);
  if (!clientId) ctx.warnings.push(`${ctx.entity}: ThingsBoard used a random client id; Cloudbridge needs a fixed one (for its persistent session): "${String(config.clientId)}" was chosen, allow it in the AWS IoT policy (iot:Connect on client/${String(config.clientId)})`);
  const creds = cc.child('credentials');
  const type = creds.str('type');
  if (type && type !== 'cert.PEM') ctx.unmapped.push({ entity: ctx.entity, field: 'configuration.clientConfiguration.credentials.type', reason: `"${type}": AWS IoT takes X.509 certificates only` });
  const credentials: Record<string, unknown> = { cert: creds.str('cert') ?? '' };
  putSecret(credentials, 'key', ctx, `Private key (PEM) of the AWS IoT device certificate${creds.str('privateKeyFileName') ? ` (${creds.str('privateKeyFileName')})` : ''}: the privateKey of the ThingsBoard export`, creds.str('privateKey'), 'credentials');
  const passphrase = creds.str('privateKeyPassword');
  if (passphrase) putSecret(credentials, 'passphrase', ctx, 'Passphrase of the encrypted private key (privateKeyPassword in ThingsBoard)', passphrase, 'credentials');
  const ca = creds.str('caCert');
  if (ca && !isAmazonRoot(ca)) credentials.ca = ca;
  else if (ca) ctx.warnings.push(`${ctx.entity}: the CA certificate is Amazon's root CA, which Cloudbridge trusts by default (from Node.js's root store); it is not written`);
  creds.rest();
  config.credentials = credentials;
  const filters = topicFilters(top.raw('topicFilters'));
  config.topicFilters = filters.slice(0, MAX_FILTERS);
  if (filters.length > MAX_FILTERS) ctx.unmapped.push({ entity: ctx.entity, field: `configuration.topicFilters[${MAX_FILTERS}..]`, reason: `AWS IoT accepts at most ${MAX_FILTERS} filters per subscription: create a second integration for ${filters.slice(MAX_FILTERS).map((f) => f.filter).join(', ')}` });
  const pattern = top.str('downlinkTopicPattern');
  if (pattern) config.downlinkTopicPattern = pattern;
  putProtocolVersion(config, cc, ctx);
  putConnectTimeout(config, cc);
  cc.drop('maxBytesInMessage', 'no per-message size setting: Cloudbridge accepts what AWS IoT delivers (at most 128 KB per message)');
  cc.rest();
  return { config, keepDownlink: true };
});

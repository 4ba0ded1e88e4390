/**
 * MQTT → mqtt: ThingsBoard's integration with any external broker. Host, port, TLS, credentials,
 * client id, session, protocol version, timeout, topic filters and the downlink topic pattern all
 * have an equivalent. ThingsBoard used TLS whenever the credentials were `cert.PEM` (even with
 * `ssl` off) and then trusted only their CA certificate, as Cloudbridge does with `tls.ca`. The
 * password, private key and its passphrase become secrets.
 */
import { derivedId, isObj, putConnectTimeout, putProtocolVersion, putSecret, topicFilters, typeMapping, type Fields, type MapContext, type Obj } from './common.ts';

/** `basic` → username and password; `cert.PEM` → the client certificate of `tls`. */
function putCredentials(auth: Obj, tls: Obj, creds: Fields, ctx: MapContext): void {
  const type = creds.str('type') ?? 'anonymous';
  if (type === 'basic') {
    const username = creds.str('username');
    if (username) auth.username = username;
    const password = creds.str('password');
    if (password) putSecret(auth, 'password', ctx, `Password of MQTT user "${username ?? ''}" on the broker (password of the ThingsBoard export)`, password);
  } else if (type === 'cert.PEM') {
    const ca = creds.str('caCert');
    if (ca) tls.ca = ca;
    else ctx.warnings.push(`${ctx.entity}: the export has no CA certificate: Cloudbridge verifies the broker against the system trust store; set tls.ca to the CA that signed the broker certificate if it is a private one`);
    const cert = creds.str('cert');
    if (cert) tls.cert = cert;
    putSecret(tls, 'key', ctx, `Private key (PEM) of the client certificate${creds.str('privateKeyFileName') ? ` (${creds.str('privateKeyFileName')})` : ''}: the privateKey of the ThingsBoard export`, creds.str('privateKey'), 'tls');
    const passphrase = creds.str('privateKeyPassword');
    if (passphrase) putSecret(tls, 'passphrase', ctx, 'Passphrase of the encrypted private key (privateKeyPassword in ThingsBoard)', passphrase, 'tls');
  } else if (type !== 'anonymous') {
    ctx.unmapped.push({ entity: ctx.entity, field: 'configuration.clientConfiguration.credentials.type', reason: `"${type}": Cloudbridge's mqtt connector takes anonymous, a user name and password, or a client certificate` });
  }
  creds.raw('type');
  creds.rest();
}

/** The topic filters; QoS 2 (which Cloudbridge does not offer) becomes 1, with a note. */
function putTopicFilters(config: Obj, top: Fields, ctx: MapContext): void {
  const raw = top.raw('topicFilters');
  config.topicFilters = topicFilters(raw);
  const exactlyOnce = (Array.isArray(raw) ? raw : []).filter((f) => isObj(f) && Number(f.qos) === 2).map((f) => `"${String((f as Obj).filter)}"`);
  if (exactlyOnce.length > 0) ctx.warnings.push(`${ctx.entity}: topic filters ${exactlyOnce.join(', ')} used QoS 2; Cloudbridge subscribes with QoS 1 (at least once, acknowledged after commit): a redelivered message is recognised by its content hash and stored once`);
}

export const mqtt = typeMapping('MQTT', 'mqtt', (top, ctx) => {
  const cc = top.child('clientConfiguration');
  const config: Obj = { host: cc.str('host') ?? '' };
  const port = cc.num('port');
  if (port !== undefined && Number.isInteger(port) && port >= 1 && port <= 65535) config.port = port;
  const creds = cc.child('credentials');
  const certPem = creds.str('type') === 'cert.PEM';
  const ssl = cc.bool('ssl') === true;
  const tls: Obj = { enabled: true };
  const auth: Obj = {};
  putCredentials(auth, tls, creds, ctx);
  if (ssl || certPem) config.tls = tls;
  Object.assign(config, auth);
  if (certPem && !ssl) ctx.warnings.push(`${ctx.entity}: ssl was off, but ThingsBoard connected over TLS because the credentials are a client certificate; tls.enabled is true`);
  const clean = cc.bool('cleanSession') === true;
  config.cleanSession = clean;
  const clientId = cc.str('clientId');
  if (clientId) config.clientId = clientId;
  else if (!clean) {
    config.clientId = derivedId(ctx.name, 256);
    ctx.warnings.push(`${ctx.entity}: ThingsBoard used a random client id, so its persistent session was never resumed; Cloudbridge needs a fixed one for it: "${String(config.clientId)}" was chosen (allow it in the broker's ACL)`);
  }
  if (clean) ctx.warnings.push(`${ctx.entity}: cleanSession is true (ThingsBoard's default): the broker drops what is published while Cloudbridge is disconnected. Set cleanSession: false${clientId ? '' : ' and a fixed clientId'} to have the broker keep it`);
  putProtocolVersion(config, cc, ctx);
  putConnectTimeout(config, cc);
  putTopicFilters(config, top, ctx);
  const pattern = top.str('downlinkTopicPattern');
  if (pattern) config.downlinkTopicPattern = pattern;
  if (ctx.hasDownlink) ctx.warnings.push(`${ctx.entity}: ThingsBoard left a \${key} of downlinkTopicPattern in the topic when the encoder's metadata lacked it; Cloudbridge fails that downlink (DOWNLINK_FAILED naming the key)`);
  cc.drop('retainedMessage', 'ThingsBoard published downlinks with the retain flag; Cloudbridge publishes them without it (the broker does not keep the last command for later subscribers)');
  cc.drop('maxBytesInMessage', 'no per-message size setting: Cloudbridge accepts what the broker delivers (the broker\'s own limit applies)');
  cc.raw('customHost');
  cc.rest();
  ctx.warnings.push(`${ctx.entity}: ThingsBoard acknowledged each QoS 1 message before its data was stored (older versions as soon as it arrived, before the converter ran; recent ones once the converter ran and handed the result on); Cloudbridge acknowledges it after the data is committed, so a message in flight during a crash or a storage outage is redelivered instead of lost`);
  return { config, keepDownlink: true };
});

/**
 * Cross-field rules of the `thingsboard-gateway` config: credentials (exactly one way to
 * authenticate), TLS material, and warnings for what works but is likely a mistake.
 */
import { CloudbridgeError } from '../../core/errors.ts';
import { checkTlsMaterial } from '../../connectors/mqtt/index.ts';
import type { ThingsboardGatewayConfig } from './config-spec.ts';

function invalid(field: string, message: string): CloudbridgeError {
  return new CloudbridgeError('CONFIG_INVALID', `${field}: ${message}`, { field });
}

export function validateTbConfig(c: ThingsboardGatewayConfig): string[] {
  const warnings: string[] = [];
  const kind = c.credentials?.type;
  if (c.accessToken && kind) throw invalid('credentials', 'set either accessToken or credentials, not both');
  if (!c.accessToken && !kind) throw invalid('accessToken', 'the access token of the gateway device is required (or credentials for X.509 / basic MQTT credentials)');
  if (kind === 'x509' && !(c.tls?.cert && c.tls.key)) throw invalid('tls.cert', 'X.509 credentials need tls.cert and tls.key (the gateway device\'s certificate and key)');
  if (c.credentials?.type === 'basic' && !c.credentials.username && !c.credentials.clientId) {
    throw invalid('credentials.username', 'basic MQTT credentials need a username or a clientId (as set on the gateway device in ThingsBoard)');
  }
  if (c.tls) warnings.push(...checkTlsMaterial(c.tls, 'tls'));
  if (!c.tls && c.port === 8883) warnings.push('port: 8883 is ThingsBoard\'s MQTT over TLS port, but tls is not set: add tls: {} to connect with TLS');
  if (c.tls && c.port === 1883) warnings.push('port: 1883 is ThingsBoard\'s plain MQTT port, but tls is set');
  if (!c.tls && c.host !== 'localhost' && c.host !== '127.0.0.1') warnings.push('tls: not set, so the gateway token and the data travel unencrypted; set tls: {} (port 8883) unless the network is private');
  return warnings;
}

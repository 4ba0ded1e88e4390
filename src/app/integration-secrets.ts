/** Secret handling of connector configs, driven by the `secret: true` fields of each spec. */
import type { TSchema } from '@sinclair/typebox';
import { isEncrypted, mapSecrets, redactSecrets, type SecretBox } from './secrets.ts';

export function encryptConfig(spec: TSchema, config: Record<string, unknown>, box: SecretBox): Record<string, unknown> {
  return mapSecrets(spec, config, (v) => (isEncrypted(v) ? v : box.encrypt(v))) as Record<string, unknown>;
}

export function decryptConfig(spec: TSchema, config: Record<string, unknown>, box: SecretBox): Record<string, unknown> {
  return mapSecrets(spec, config, (v) => box.decrypt(v)) as Record<string, unknown>;
}

export function redactConfig(spec: TSchema, config: Record<string, unknown>): Record<string, unknown> {
  return redactSecrets(spec, config) as Record<string, unknown>;
}

/**
 * Secrets at rest and in responses. Config fields whose schema carries `secret: true` are
 * encrypted with AES-256-GCM under a master key before they reach the store, decrypted when an
 * integration starts, and shown as "***" everywhere else (API responses, events, logs).
 *
 * The master key comes from CLOUDBRIDGE_MASTER_KEY (any string; hashed to 32 bytes) or from a key
 * file generated at first start with mode 0600 (its directory, when created, 0700).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TSchema } from '@sinclair/typebox';
import { CloudbridgeError } from '../core/errors.ts';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../core/private-files.ts';

export const REDACTED = '***';
const ENC_PREFIX = 'enc:v1:';

export class SecretBox {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('master key must be 32 bytes');
    this.key = key;
  }

  static fromEnvOrFile(env: NodeJS.ProcessEnv, keyFile: string): SecretBox {
    const fromEnv = env.CLOUDBRIDGE_MASTER_KEY;
    if (fromEnv) return new SecretBox(createHash('sha256').update(fromEnv).digest());
    if (existsSync(keyFile)) {
      const text = readFileSync(keyFile, 'utf8').trim();
      const key = Buffer.from(text, 'base64');
      if (key.length !== 32) {
        throw new CloudbridgeError('CONFIG_INVALID', `master key file ${keyFile} is not a base64 32-byte key`, { field: 'CLOUDBRIDGE_MASTER_KEY' });
      }
      return new SecretBox(key);
    }
    ensurePrivateDir(dirname(keyFile));
    const key = randomBytes(32);
    writeFileSync(keyFile, `${key.toString('base64')}\n`, { mode: PRIVATE_FILE_MODE });
    chmodSync(keyFile, PRIVATE_FILE_MODE);
    return new SecretBox(key);
  }

  encrypt(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${ENC_PREFIX}${iv.toString('base64')}:${cipher.getAuthTag().toString('base64')}:${ct.toString('base64')}`;
  }

  decrypt(value: string): string {
    if (!isEncrypted(value)) return value;
    const [iv, tag, ct] = value.slice(ENC_PREFIX.length).split(':');
    if (!iv || !tag || ct === undefined) throw new CloudbridgeError('CONFIG_INVALID', 'a stored secret is corrupt');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(ct, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw new CloudbridgeError('CONFIG_INVALID', 'a stored secret cannot be decrypted: the master key (CLOUDBRIDGE_MASTER_KEY or the key file) differs from the one it was saved with');
    }
  }
}

export function isEncrypted(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(ENC_PREFIX);
}

type Transform = (value: string, path: string) => string;

interface SchemaShape {
  secret?: boolean;
  fromFile?: boolean;
  properties?: Record<string, TSchema>;
  items?: TSchema;
  anyOf?: TSchema[];
  oneOf?: TSchema[];
}

/** Applies `fn` to every string at a position of `schema` inside `value` whose schema carries `marker: true`. */
export function mapMarked(marker: 'secret' | 'fromFile', schema: TSchema, value: unknown, fn: Transform, path = ''): unknown {
  if (value === null || value === undefined) return value;
  const s = schema as SchemaShape;
  if (s[marker] === true && typeof value === 'string') return fn(value, path);
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) {
    let out: unknown = value;
    for (const alt of alternatives) out = mapMarked(marker, alt, out, fn, path);
    return out;
  }
  if (Array.isArray(value) && s.items) return value.map((v, i) => mapMarked(marker, s.items as TSchema, v, fn, `${path}[${i}]`));
  if (typeof value === 'object' && !Array.isArray(value) && s.properties) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const sub = s.properties[k];
      out[k] = sub ? mapMarked(marker, sub, v, fn, path ? `${path}.${k}` : k) : v;
    }
    return out;
  }
  return value;
}

/** Applies `fn` to every string at a `secret: true` position of `schema` inside `value`. */
export const mapSecrets = (schema: TSchema, value: unknown, fn: Transform, path = ''): unknown => mapMarked('secret', schema, value, fn, path);

/** Every secret value (plain text) found in a config, for log scrubbing and tests. */
export function collectSecrets(schema: TSchema, value: unknown): string[] {
  const found: string[] = [];
  mapSecrets(schema, value, (v) => {
    if (v && v !== REDACTED) found.push(v);
    return v;
  });
  return found;
}

export const redactSecrets = (schema: TSchema, value: unknown): unknown => mapSecrets(schema, value, (v) => (v ? REDACTED : v));

/**
 * Merges an update into the stored config: a secret sent back as "***" keeps the stored value,
 * so a client can GET, edit and PUT a config without knowing its secrets.
 */
export function keepRedactedSecrets(schema: TSchema, incoming: unknown, stored: unknown): unknown {
  const storedSecrets = new Map<string, string>();
  mapSecrets(schema, stored, (v, path) => {
    storedSecrets.set(path, v);
    return v;
  });
  return mapSecrets(schema, incoming, (v, path) => {
    if (v !== REDACTED) return v;
    const old = storedSecrets.get(path);
    if (old === undefined) throw new CloudbridgeError('CONFIG_INVALID', `${path} is "***" but no stored value exists: send the real value`, { field: path });
    return old;
  });
}

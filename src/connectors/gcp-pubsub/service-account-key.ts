/**
 * The service account JSON key (a secret config field): parsed and checked when the config is
 * saved, so that a truncated paste or a key of the wrong kind is a CONFIG_INVALID naming the
 * field, not an authentication error minutes later. Messages name the key's client_email and
 * project, never its private key.
 */
import { CloudbridgeError } from '../../core/errors.ts';

export interface ServiceAccountKey {
  projectId: string;
  clientEmail: string;
  privateKey: string;
  privateKeyId: string | undefined;
}

const FIELD = 'credentials';

function invalid(message: string): CloudbridgeError {
  return new CloudbridgeError('CONFIG_INVALID', message, { field: FIELD });
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

export function parseServiceAccountKey(json: string): ServiceAccountKey {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw invalid('credentials is not JSON: paste the whole service account key file (IAM → Service accounts → Keys → Add key → JSON), from { to }');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalid('credentials is not a JSON object: paste the whole service account key file');
  }
  const key = parsed as Record<string, unknown>;
  if (key.type !== 'service_account') {
    const kind = typeof key.type === 'string' ? `a "${key.type}" credential` : 'not a service account key (no "type")';
    throw invalid(`credentials is ${kind}: Cloudbridge needs a service account key ("type": "service_account"); user credentials from gcloud auth are not accepted. Create a key for a service account, or leave credentials empty to use Application Default Credentials`);
  }
  const missing = ['project_id', 'client_email', 'private_key'].filter((f) => text(key[f]) === undefined);
  if (missing.length > 0) throw invalid(`credentials lacks ${missing.join(', ')}: the key file is incomplete; download a new JSON key for the service account`);
  const privateKey = text(key.private_key) ?? '';
  if (!privateKey.includes('-----BEGIN PRIVATE KEY-----')) {
    throw invalid(`credentials: private_key of ${String(key.client_email)} is not a PEM private key: the key file was altered (line breaks must stay as \\n); download a new JSON key`);
  }
  return { projectId: String(key.project_id), clientEmail: String(key.client_email), privateKey, privateKeyId: text(key.private_key_id) };
}

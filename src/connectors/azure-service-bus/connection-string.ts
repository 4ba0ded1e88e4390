/**
 * The Service Bus connection string: parsed, checked and classified, so a wrong kind of string
 * (an IoT Hub or device string, an Event Hubs one with its EntityPath, a key without its name;
 * a shared access signature in place of the key pair is accepted)
 * gets an error naming what was given and what is needed, never echoing the key.
 */
import { CloudbridgeError } from '../../core/errors.ts';

export interface ServiceBusConnection {
  /** `sb://host[:port]/` as given. */
  endpoint: string;
  /** The namespace host (with a port when one is given). */
  host: string;
  keyName: string;
  entityPath: string | undefined;
  /** The same string without EntityPath, for the SDK client. */
  withoutEntityPath: string;
}

const FIELD = 'connectionString';

function invalid(message: string): CloudbridgeError {
  return new CloudbridgeError('CONFIG_INVALID', message, { field: FIELD });
}

function parts(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    out.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  return out;
}

export function parseServiceBusConnectionString(text: string): ServiceBusConnection {
  const p = parts(text);
  if (p.has('deviceid')) throw invalid('connectionString is an IoT Hub device connection string (it has DeviceId=): use the connection string of a Service Bus shared access policy (Endpoint=sb://<namespace>.servicebus.windows.net/;SharedAccessKeyName=…;SharedAccessKey=…)');
  if (p.has('hostname')) throw invalid('connectionString is an IoT Hub connection string (HostName=…): use the connection string of a Service Bus shared access policy (Endpoint=sb://<namespace>.servicebus.windows.net/;SharedAccessKeyName=…;SharedAccessKey=…)');
  const endpoint = p.get('endpoint');
  if (endpoint === undefined || !/^sb:\/\/[^/;]+/i.test(endpoint)) throw invalid('connectionString has no Endpoint=sb://<namespace>.servicebus.windows.net/: copy the whole "Primary connection string" of a shared access policy');
  // A shared access signature (SharedAccessSignature=SharedAccessSignature sr=…&se=…&skn=<policy>) stands in for the key pair.
  const signature = p.get('sharedaccesssignature');
  const keyName = p.get('sharedaccesskeyname') || (signature ? decodeURIComponent(/[?&\s]skn=([^&;]*)/.exec(signature)?.[1] ?? '') : '');
  if (!keyName && !signature) throw invalid('connectionString has no SharedAccessKeyName: copy the whole "Primary connection string" of a shared access policy');
  if (!p.get('sharedaccesskey') && !p.get('sharedaccesssignature')) throw invalid('connectionString has no SharedAccessKey: copy the whole "Primary connection string" of a shared access policy');
  const host = endpoint.replace(/^sb:\/\//i, '').replace(/\/.*$/, '');
  if (/\.azure-devices\.net$/i.test(host)) throw invalid(`connectionString points at an IoT Hub (${host}): use a Service Bus namespace's connection string`);
  const entityPath = p.get('entitypath') || undefined;
  const withoutEntityPath = text.split(';').filter((part) => !/^\s*entitypath\s*=/i.test(part)).join(';');
  return { endpoint, host, keyName, entityPath, withoutEntityPath };
}

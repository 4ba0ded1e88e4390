/**
 * Azure connection strings: parsed and classified, so a connector can say "this is an IoT Hub
 * string, Event Hubs wants the namespace one" instead of letting the SDK fail with a parse error or
 * an authorization failure later. Kinds:
 *
 * - `namespace`: Event Hubs / Service Bus, `Endpoint=sb://<ns>.servicebus.windows.net/;
 *   SharedAccessKeyName=…;SharedAccessKey=…[;EntityPath=…][;UseDevelopmentEmulator=true]`
 *   (IoT Hub's built-in "Event Hub-compatible endpoint" is one of these too);
 * - `iot-hub`: the IoT Hub service string, `HostName=<hub>.azure-devices.net;SharedAccessKeyName=…;
 *   SharedAccessKey=…`;
 * - `device`: a device string (`HostName=…;DeviceId=…;SharedAccessKey=…`): a device's own
 *   credentials, never right for a service-side connector;
 * - `iot-central`: an IoT Central host (`*.azureiotcentral.com`), which has no service endpoint.
 *
 * Errors are CONFIG_INVALID naming the field and never carry the key.
 */
import { CloudbridgeError } from '../../core/errors.ts';

export type AzureConnectionKind = 'namespace' | 'iot-hub' | 'device' | 'iot-central' | 'unknown';

export interface AzureConnectionString {
  kind: AzureConnectionKind;
  /** `Endpoint` without scheme and trailing slash, or `HostName` (may carry a port). */
  host: string;
  /** `Endpoint` as given (namespace strings). */
  endpoint: string | undefined;
  keyName: string | undefined;
  hasKey: boolean;
  entityPath: string | undefined;
  deviceId: string | undefined;
  useDevelopmentEmulator: boolean;
  /** Keys present, as written (for messages: never values). */
  keys: string[];
}

/** `k=v;k=v` → lower-cased keys; a value may contain `=` (base64 keys). */
function pairs(text: string): Map<string, { key: string; value: string }> {
  const out = new Map<string, { key: string; value: string }>();
  for (const part of text.split(';')) {
    const trimmed = part.trim();
    if (!trimmed) continue;
    const eq = trimmed.indexOf('=');
    if (eq <= 0) continue;
    const key = trimmed.slice(0, eq).trim();
    out.set(key.toLowerCase(), { key, value: trimmed.slice(eq + 1).trim() });
  }
  return out;
}

function hostOfEndpoint(endpoint: string): string {
  return endpoint.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '');
}

export function parseAzureConnectionString(text: string): AzureConnectionString {
  const p = pairs(text);
  const get = (k: string): string | undefined => p.get(k.toLowerCase())?.value || undefined;
  const endpoint = get('Endpoint');
  const hostName = get('HostName');
  const host = endpoint ? hostOfEndpoint(endpoint) : hostName ?? '';
  const deviceId = get('DeviceId');
  const bareHost = host.replace(/:\d+$/, '').toLowerCase();
  const kind: AzureConnectionKind = bareHost.endsWith('.azureiotcentral.com') ? 'iot-central'
    : deviceId ? 'device'
      : endpoint ? 'namespace'
        : hostName ? 'iot-hub'
          : 'unknown';
  return {
    kind,
    host,
    endpoint,
    keyName: get('SharedAccessKeyName'),
    hasKey: Boolean(get('SharedAccessKey') ?? get('SharedAccessSignature')),
    entityPath: get('EntityPath'),
    deviceId,
    useDevelopmentEmulator: (get('UseDevelopmentEmulator') ?? '').toLowerCase() === 'true',
    keys: [...p.values()].map((v) => v.key),
  };
}

const NAMESPACE_FORMAT = 'Endpoint=sb://<namespace>.servicebus.windows.net/;SharedAccessKeyName=<policy>;SharedAccessKey=<key>[;EntityPath=<name>]';

export interface ExpectNamespaceOptions {
  /** The config field holding the string, e.g. `connectionString`. */
  field: string;
  /** `Event Hubs` or `Service Bus`, for messages. */
  service: string;
  /** Where to copy the right string from in the Azure portal. */
  portalHint: string;
}

/**
 * A namespace string (Event Hubs / Service Bus) or CONFIG_INVALID naming `field` with what the
 * string is instead and where to find the right one.
 */
export function expectNamespaceString(text: string, o: ExpectNamespaceOptions): AzureConnectionString {
  const invalid = (message: string): CloudbridgeError => new CloudbridgeError('CONFIG_INVALID', message, { field: o.field });
  const c = parseAzureConnectionString(text);
  if (c.kind === 'iot-central') {
    throw invalid(`${o.field} names an IoT Central application (${c.host}): IoT Central has no ${o.service} endpoint to read. Export its data to an Event Hub (IoT Central → Data export) and use that Event Hubs namespace's connection string`);
  }
  if (c.kind === 'device') {
    throw invalid(`${o.field} is a device connection string (it has DeviceId=${c.deviceId ?? ''}): that is a device's own credential. Use a shared access policy's connection string: ${o.portalHint}`);
  }
  if (c.kind === 'iot-hub') {
    throw invalid(`${o.field} is an IoT Hub connection string (HostName=${c.host}): ${o.service} needs a namespace string (${NAMESPACE_FORMAT}). For an IoT Hub's device-to-cloud messages use the azure-iot-hub connector, or the hub's "Event Hub-compatible endpoint" (IoT Hub → Built-in endpoints)`);
  }
  if (c.kind !== 'namespace') {
    throw invalid(`${o.field} is not an Azure connection string: it looks like ${NAMESPACE_FORMAT}. ${o.portalHint}`);
  }
  if (!/^(sb|amqps?):\/\//i.test(c.endpoint ?? '')) {
    throw invalid(`${o.field}: Endpoint must start with sb:// (${NAMESPACE_FORMAT})`);
  }
  if (!c.keyName || !c.hasKey) {
    throw invalid(`${o.field} lacks ${c.keyName ? 'SharedAccessKey' : 'SharedAccessKeyName'}: copy the whole connection string of a shared access policy (${o.portalHint})`);
  }
  return c;
}

/** The connection string without its key, for messages and status (`SharedAccessKey=***`). */
export function redactConnectionString(text: string): string {
  return text.replace(/(SharedAccessKey|SharedAccessSignature)=[^;]*/gi, '$1=***');
}

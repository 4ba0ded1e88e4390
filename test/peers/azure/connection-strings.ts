/**
 * Connection strings for each SDK. Event Hubs and Service Bus use plain TCP through
 * `UseDevelopmentEmulator=true` (a port in the endpoint is honoured) or TLS without it; the IoT Hub
 * service client always uses TLS and takes the port in `HostName`.
 */
import type { SasKey } from './sas.ts';

export const DOUBLE_HOST = 'localhost';
/**
 * The IoT Hub's host: another name for the same loopback address, so that, as in Azure (where the
 * built-in endpoint lives on an `iothub-ns-…servicebus.windows.net` namespace), the host the
 * `amqp:link:redirect` names differs from the IoT Hub's own.
 */
export const IOT_HUB_HOST = '127.0.0.1';

export interface NamespaceStringOptions {
  /** Use the TLS listener (the client must trust the double's certificate). Default false. */
  tls?: boolean;
  /** Key to put in the string; default the first namespace key. */
  keyName?: string;
  entityPath?: string;
}

export function namespaceConnectionString(ports: { plain?: number; tls?: number }, keys: SasKey[], opts: NamespaceStringOptions = {}): string {
  const key = pickKey(keys, opts.keyName);
  const port = opts.tls === true ? ports.tls : ports.plain;
  if (port === undefined) throw new RangeError(`The double has no ${opts.tls === true ? 'TLS' : 'plain'} listener here`);
  const parts = opts.tls === true
    ? [`Endpoint=sb://${DOUBLE_HOST}:${port}/`]
    : [`Endpoint=sb://${DOUBLE_HOST}:${port}`];
  parts.push(`SharedAccessKeyName=${key.name}`, `SharedAccessKey=${key.key}`);
  if (opts.entityPath !== undefined) parts.push(`EntityPath=${opts.entityPath}`);
  if (opts.tls !== true) parts.push('UseDevelopmentEmulator=true');
  return parts.join(';');
}

export function iotHubConnectionString(tlsPort: number, keys: SasKey[], keyName?: string): string {
  const key = pickKey(keys, keyName);
  return `HostName=${IOT_HUB_HOST}:${tlsPort};SharedAccessKeyName=${key.name};SharedAccessKey=${key.key}`;
}

function pickKey(keys: SasKey[], keyName: string | undefined): SasKey {
  const key = keyName === undefined ? keys[0] : keys.find((k) => k.name === keyName);
  if (key === undefined) throw new RangeError(`No key named '${keyName ?? '(first)'}'`);
  return key;
}

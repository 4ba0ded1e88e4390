/**
 * The IoT Hub registry REST API as `azure-iothub`'s `Registry` calls it (api-version 2021-04-12):
 * `GET /twins/{id}`, `PATCH /twins/{id}` (merge patch, `If-Match` etag), `GET /devices/{id}`,
 * `POST /devices/query` (`SELECT * FROM devices` only: every twin, paged by `x-ms-max-item-count`
 * with `x-ms-continuation`), on
 * the IoT Hub's own TLS port (HTTP and AMQP share it: `http-demux.ts`). `Authorization` carries a
 * SharedAccessSignature for the hub; errors come back as IoT Hub writes them
 * (`{"Message":"ErrorCode:<code>;<text>"}`): 401 `IotHubUnauthorizedAccess`, 404 `DeviceNotFound`,
 * 412 `PreconditionFailed`, 400 `ArgumentInvalid`.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KeyLookup } from '../auth.ts';
import { checkSasToken } from '../auth.ts';
import type { DeviceRegistry } from './devices.ts';
import type { TwinStore } from './twins.ts';

const ROUTE = /^\/(twins|devices)\/([^/?]+)$/;
const MAX_BODY_BYTES = 32 * 1024;

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'iothub-errorcode': status >= 400 ? String((body as { code?: string }).code ?? '') : '', ...headers });
  res.end(text);
}

function fail(res: ServerResponse, status: number, code: string, text: string): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'iothub-errorcode': code });
  res.end(JSON.stringify({ Message: `ErrorCode:${code};${text}`, ExceptionMessage: `Tracking ID:${randomUUID().replace(/-/g, '')}-G:0-TimeStamp:${new Date().toISOString()}` }));
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export interface RegistryHttpDeps {
  registry: DeviceRegistry;
  twins: TwinStore;
  keysFor: KeyLookup;
  trace: (line: string) => void;
}

export function registryHttpHandler(deps: RegistryHttpDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void handle(deps, req, res).catch((err: unknown) => fail(res, 500, 'ServerError', String(err)));
  };
}

async function query(deps: RegistryHttpDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = JSON.parse(await readBody(req) ?? '{}') as { query?: string };
  if (!/^\s*select\s+\*\s+from\s+devices\s*$/i.test(body.query ?? '')) {
    fail(res, 400, 'BadRequest', `The double answers only SELECT * FROM devices, not ${JSON.stringify(body.query)}`);
    return;
  }
  const pageSize = Math.max(1, Math.min(1000, Number(req.headers['x-ms-max-item-count'] ?? 100) || 100));
  const start = Number(req.headers['x-ms-continuation'] ?? 0) || 0;
  const ids = deps.registry.ids();
  const page = ids.slice(start, start + pageSize).map((id) => deps.twins.get(id));
  const more = start + pageSize < ids.length;
  send(res, 200, page, { 'x-ms-item-type': 'Twin', ...(more ? { 'x-ms-continuation': String(start + pageSize) } : {}) });
}

async function handle(deps: RegistryHttpDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://iothub');
  deps.trace(`iothub HTTP ${req.method ?? ''} ${url.pathname}${url.search}`);
  const check = checkSasToken(String(req.headers.authorization ?? ''), undefined, deps.keysFor, Date.now());
  if (!check.ok) {
    fail(res, 401, 'IotHubUnauthorizedAccess', `Unauthorized: ${check.reason}`);
    return;
  }
  if (url.searchParams.get('api-version') === null) {
    fail(res, 400, 'InvalidProtocolVersion', 'The api-version query parameter is required');
    return;
  }
  if (url.pathname === '/devices/query' && req.method === 'POST') {
    await query(deps, req, res);
    return;
  }
  const route = ROUTE.exec(url.pathname);
  if (route === null) {
    fail(res, 404, 'ResourceNotFound', `No resource ${url.pathname}`);
    return;
  }
  const [, kind, rawId] = route;
  const deviceId = decodeURIComponent(rawId ?? '');
  if (!deps.registry.has(deviceId)) {
    fail(res, 404, 'DeviceNotFound', `Device ${deviceId} not registered`);
    return;
  }
  if (kind === 'devices' && req.method === 'GET') {
    send(res, 200, {
      deviceId, generationId: deps.registry.generationId(deviceId), etag: deps.twins.etag(deviceId), connectionState: 'Disconnected',
      status: 'enabled', statusReason: null, cloudToDeviceMessageCount: deps.registry.queuedCount(deviceId),
      authentication: { type: 'sas', symmetricKey: { primaryKey: null, secondaryKey: null }, x509Thumbprint: { primaryThumbprint: null, secondaryThumbprint: null } },
      capabilities: { iotEdge: false },
    });
    return;
  }
  if (kind === 'twins' && req.method === 'GET') {
    send(res, 200, deps.twins.get(deviceId), { etag: `"${deps.twins.etag(deviceId) ?? ''}"` });
    return;
  }
  if (kind === 'twins' && req.method === 'PATCH') {
    const text = await readBody(req);
    if (text === undefined) {
      fail(res, 400, 'MessageTooLarge', `The twin patch exceeds ${MAX_BODY_BYTES} bytes`);
      return;
    }
    let patch: unknown;
    try {
      patch = JSON.parse(text);
    } catch {
      fail(res, 400, 'ArgumentInvalid', 'The body is not JSON');
      return;
    }
    const result = deps.twins.update(deviceId, patch, typeof req.headers['if-match'] === 'string' ? req.headers['if-match'] : undefined);
    if (!result.ok) fail(res, result.status, result.code, result.message);
    else send(res, 200, result.twin, { etag: `"${String(result.twin['etag'])}"` });
    return;
  }
  fail(res, 405, 'MethodNotAllowed', `${req.method ?? ''} is not allowed on ${url.pathname}`);
}

/**
 * A SigV4-checking front for fauxqs, which accepts any credentials. It verifies each request's
 * AWS Signature Version 4 (AWS4-HMAC-SHA256) against known key pairs and the expected region,
 * answers failures the way SQS's JSON protocol does (HTTP 403, `__type` and
 * `x-amzn-query-error`), and forwards good requests to fauxqs unchanged.
 *   unknown access key id          → InvalidClientTokenId
 *   wrong secret                   → SignatureDoesNotMatch
 *   credential scope ≠ region      → SignatureDoesNotMatch "Credential should be scoped to a valid region"
 */
import { createHash, createHmac } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface SigV4Gate {
  readonly endpoint: string;
  close(): Promise<void>;
}

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();

function reject(res: ServerResponse, code: string, message: string): void {
  res.writeHead(403, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-query-error': `${code};Sender` });
  res.end(JSON.stringify({ __type: `com.amazon.coral.service#${code}`, message }));
}

function parseAuthorization(header: string): { accessKeyId: string; date: string; region: string; service: string; signedHeaders: string[]; signature: string } | null {
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]+)$/.exec(header);
  if (!m) return null;
  const [, accessKeyId = '', date = '', region = '', service = '', signedHeaders = '', signature = ''] = m;
  return { accessKeyId, date, region, service, signedHeaders: signedHeaders.split(';'), signature };
}

function expectedSignature(req: IncomingMessage, body: Buffer, auth: NonNullable<ReturnType<typeof parseAuthorization>>, secret: string): string {
  const url = new URL(req.url ?? '/', 'http://gate');
  const query = [...url.searchParams.entries()]
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).sort().join('&');
  const headers = auth.signedHeaders.map((h) => {
    const raw = req.headers[h];
    const value = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
    return `${h}:${value.trim().replace(/\s+/g, ' ')}\n`;
  }).join('');
  const payloadHash = typeof req.headers['x-amz-content-sha256'] === 'string' ? req.headers['x-amz-content-sha256'] : sha256(body);
  const canonical = [req.method ?? 'POST', url.pathname || '/', query, headers, auth.signedHeaders.join(';'), payloadHash].join('\n');
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, auth.date), auth.region), auth.service), 'aws4_request');
  return createHmac('sha256', key).update(toSign).digest('hex');
}

export async function startSigV4Gate(opts: { target: string; region: string; keys: Record<string, string> }): Promise<SigV4Gate> {
  const target = new URL(opts.target);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const auth = parseAuthorization(String(req.headers.authorization ?? ''));
      if (!auth) return reject(res, 'MissingAuthenticationToken', 'Request is missing Authentication Token');
      const secret = opts.keys[auth.accessKeyId];
      if (secret === undefined) return reject(res, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
      if (auth.region !== opts.region) return reject(res, 'SignatureDoesNotMatch', `Credential should be scoped to a valid region, not '${auth.region}'. `);
      if (expectedSignature(req, body, auth, secret) !== auth.signature) {
        return reject(res, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.');
      }
      const forward = httpRequest({
        host: target.hostname, port: target.port, method: req.method, path: req.url,
        headers: { ...req.headers, host: target.host },
      }, (upstream) => {
        res.writeHead(upstream.statusCode ?? 502, upstream.headers);
        upstream.pipe(res);
      });
      forward.on('error', (err) => {
        res.writeHead(502);
        res.end(String(err));
      });
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

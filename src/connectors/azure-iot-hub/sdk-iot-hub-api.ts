/**
 * `IotHubApi` on the official `azure-iothub` SDK (1.16): `Client` for cloud-to-device sends and the
 * feedback receiver, `Registry` for twins (its REST calls, through an agent that honours a port in
 * the HostName), and `rhea` for the built-in endpoint's redirect, the way Microsoft's sample
 * converts an IoT Hub connection string into an Event Hubs one. Loaded lazily (definition.ts).
 */
import iothub from 'azure-iothub';
import type { Client as IotClient, Registry as IotRegistry } from 'azure-iothub';
import messageModule from 'azure-iothub/dist/common-core/message.js';
import type { Message as IotMessage } from 'azure-iothub/dist/common-core/message.js';
import restModule from 'azure-iothub/dist/common-http/rest_api_client.js';
import rhea from 'rhea';
import type { EventContext } from 'rhea';
import { HostPortAgent } from './host-port-agent.ts';
import type { BuiltInEndpoint, C2dRequest, FeedbackRecord, IotHubApi, TwinDocument, TwinPage } from './iot-hub-api.ts';

const { Client, Registry, SharedAccessSignature } = iothub;
const { Message } = messageModule;
const { RestApiClient } = restModule;
const USER_AGENT = 'azure-iothub/1.16 (cloudbridge)';
const AMQPS_PORT = 5671;

interface RawTwin { deviceId?: string; etag?: string; properties?: { reported?: Record<string, unknown> } }

function toTwin(raw: RawTwin): TwinDocument {
  const reported = { ...(raw.properties?.reported ?? {}) };
  const version = typeof reported['$version'] === 'number' ? reported['$version'] : 0;
  const meta = reported['$metadata'] as { $lastUpdated?: string } | undefined;
  delete reported['$version'];
  delete reported['$metadata'];
  return { deviceId: raw.deviceId ?? '', etag: raw.etag ?? '*', reported, reportedVersion: version, reportedUpdated: meta?.$lastUpdated };
}

function promised<T>(fn: (done: (err?: Error | null, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value as T))));
}

export interface SdkIotHubSettings { connectionString: string }

export class SdkIotHubApi implements IotHubApi {
  private readonly client: IotClient;
  private readonly registry: IotRegistry;
  private readonly host: string;
  private readonly keyName: string;
  private readonly key: string;

  constructor(s: SdkIotHubSettings) {
    const parsed = iothub.ConnectionString.parse(s.connectionString);
    this.host = parsed.HostName ?? '';
    this.keyName = parsed.SharedAccessKeyName ?? '';
    this.key = parsed.SharedAccessKey ?? '';
    this.client = Client.fromConnectionString(s.connectionString);
    const config = { host: this.host, sharedAccessSignature: SharedAccessSignature.create(this.host, this.keyName, this.key, Date.now()) };
    const rest = new RestApiClient(config, USER_AGENT);
    this.registry = new Registry(config, rest);
    // After the Registry's constructor, which sets its own agent.
    rest.setOptions({ http: { agent: new HostPortAgent({ keepAlive: true }) } });
  }

  async open(): Promise<void> {
    await this.client.open();
  }

  async send(req: C2dRequest): Promise<void> {
    const m: IotMessage = new Message(req.data);
    m.messageId = req.messageId;
    m.expiryTimeUtc = req.expiryTimeUtcMs;
    m.ack = req.ack;
    if (req.contentType) m.contentType = req.contentType as IotMessage['contentType'];
    if (req.contentEncoding) m.contentEncoding = req.contentEncoding as IotMessage['contentEncoding'];
    if (req.correlationId) m.correlationId = req.correlationId;
    for (const [k, v] of Object.entries(req.properties)) m.properties.add(k, v);
    await this.client.send(req.deviceId, m);
  }

  async onFeedback(handler: (records: FeedbackRecord[]) => Promise<void>, onError: (err: unknown) => void): Promise<void> {
    const receiver = await promised<IotClient.ServiceReceiver>((done) => this.client.getFeedbackReceiver((err, r) => done(err, r)));
    receiver.on('message', (msg: IotMessage) => {
      let records: FeedbackRecord[];
      try {
        records = JSON.parse(msg.getData().toString()) as FeedbackRecord[];
      } catch (err) {
        onError(err);
        return;
      }
      void handler(Array.isArray(records) ? records : []).catch(onError);
    });
    receiver.on('error', onError);
  }

  async getTwin(deviceId: string): Promise<TwinDocument> {
    const r = await this.registry.getTwin(deviceId);
    return toTwin(r.responseBody as unknown as RawTwin);
  }

  async updateDesired(deviceId: string, desired: Record<string, unknown>, etag: string): Promise<TwinDocument> {
    const r = await this.registry.updateTwin(deviceId, { properties: { desired } }, etag);
    return toTwin(r.responseBody as unknown as RawTwin);
  }

  async queryTwins(continuation: string | undefined, pageSize: number): Promise<TwinPage> {
    const query = this.registry.createQuery('SELECT * FROM devices', pageSize);
    const r = continuation === undefined ? await query.next() : await query.next(continuation);
    const rows = Array.isArray(r.result) ? r.result as RawTwin[] : [];
    return { twins: rows.map(toTwin), continuation: query.hasMoreResults ? query.continuationToken : undefined };
  }

  /** Microsoft's recipe: attach to messages/events on the hub, read the redirect's host, port and hub name. */
  findBuiltInEndpoint(signal: AbortSignal): Promise<BuiltInEndpoint> {
    const [hostName, portText] = this.host.split(':');
    const hub = (hostName ?? '').split('.')[0] ?? '';
    const token = SharedAccessSignature.create(`${this.host}/messages/events`, this.keyName, this.key, Math.ceil(Date.now() / 1000) + 300).toString();
    const conn = rhea.create_container().connect({
      host: hostName, port: portText === undefined ? AMQPS_PORT : Number(portText), transport: 'tls', servername: hostName,
      reconnect: false, username: `${this.keyName}@sas.root.${hub}`, password: token,
    } as never);
    return new Promise<BuiltInEndpoint>((resolve, reject) => {
      const finish = (err: unknown, value?: BuiltInEndpoint): void => {
        signal.removeEventListener('abort', onAbort);
        conn.removeAllListeners();
        conn.on('error', () => undefined);
        conn.on('disconnected', () => undefined);
        conn.close();
        if (value !== undefined) resolve(value);
        else reject(err);
      };
      const onAbort = (): void => finish(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      conn.on('receiver_error', (ctx: EventContext) => {
        const e = ctx.receiver?.error as { condition?: string; description?: string; info?: Record<string, unknown> } | undefined;
        if (e?.condition !== 'amqp:link:redirect') {
          finish(Object.assign(new Error(e?.description ?? 'the hub refused the messages/events link'), { condition: e?.condition }));
          return;
        }
        try {
          finish(undefined, this.endpointFrom(e.info ?? {}));
        } catch (err) {
          finish(err);
        }
      });
      // A refusal is an attach answered at once by a detach with the error: only the detach counts.
      conn.on('receiver_close', () => finish(new Error('the IoT Hub closed messages/events without redirecting it to its built-in endpoint')));
      conn.on('connection_error', (ctx: EventContext) => finish(ctx.connection.error ?? new Error('connection error')));
      conn.on('disconnected', (ctx: EventContext) => finish(ctx.error ?? new Error('disconnected')));
      conn.open_receiver({ source: { address: `amqps://${this.host}/messages/events/$management` } });
    });
  }

  private endpointFrom(info: Record<string, unknown>): BuiltInEndpoint {
    const hostname = String(info['hostname'] ?? info['network-host'] ?? '');
    const address = String(info['address'] ?? '');
    const name = /\/([^/]+)\/\$management$/i.exec(address)?.[1];
    const port = Number(info['port'] ?? /^amqps:\/\/[^/:]+:(\d+)\//i.exec(address)?.[1] ?? AMQPS_PORT);
    if (hostname === '' || name === undefined) throw new Error(`the hub's redirect names no endpoint (${address || 'no address'})`);
    const host = port === AMQPS_PORT || !Number.isFinite(port) ? hostname : `${hostname}:${port}`;
    const connectionString = `Endpoint=sb://${host}/;SharedAccessKeyName=${this.keyName};SharedAccessKey=${this.key};EntityPath=${name}`;
    return { connectionString, eventHubName: name, host };
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

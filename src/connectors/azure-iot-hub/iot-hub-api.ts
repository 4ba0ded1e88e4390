/**
 * The narrow interface the `azure-iot-hub` source uses over `azure-iothub` (Client for
 * cloud-to-device and feedback, Registry for twins) and over the hub's AMQP redirect to its
 * built-in endpoint. `sdk-iot-hub-api.ts` implements it; unit tests may fake it.
 */

/** One cloud-to-device message as `Client.send` takes it. */
export interface C2dRequest {
  deviceId: string;
  messageId: string;
  /** Absolute expiry, epoch milliseconds (azure-iothub 1.16 hangs on a Date). */
  expiryTimeUtcMs: number;
  ack: 'full';
  data: Buffer;
  contentType?: string | undefined;
  contentEncoding?: string | undefined;
  correlationId?: string | undefined;
  properties: Record<string, string>;
}

/** One feedback record of `/messages/serviceBound/feedback`. */
export interface FeedbackRecord {
  originalMessageId: string;
  deviceId: string;
  statusCode: string;
  description: string;
  enqueuedTimeUtc: string;
}

/** A twin as the registry returns it (only what Cloudbridge reads). */
export interface TwinDocument {
  deviceId: string;
  etag: string;
  reported: Record<string, unknown>;
  reportedVersion: number;
  reportedUpdated: string | undefined;
}

export interface TwinPage {
  twins: TwinDocument[];
  /** Continuation for the next page; undefined after the last. */
  continuation: string | undefined;
}

/** What the hub's redirect names: the built-in endpoint as an Event Hubs connection string. */
export interface BuiltInEndpoint {
  connectionString: string;
  eventHubName: string;
  /** Host (and port when not 5671) of the endpoint's namespace, for messages. */
  host: string;
}

export interface IotHubApi {
  /** Opens the service client (AMQP, CBS token). */
  open(): Promise<void>;
  send(req: C2dRequest): Promise<void>;
  /**
   * Receives feedback batches. The handler's promise settling ends the batch (azure-iothub accepts
   * each feedback message on receipt, before the handler runs).
   */
  onFeedback(handler: (records: FeedbackRecord[]) => Promise<void>, onError: (err: unknown) => void): Promise<void>;
  getTwin(deviceId: string): Promise<TwinDocument>;
  /** PATCH of `properties.desired` with the twin's etag (If-Match). */
  updateDesired(deviceId: string, desired: Record<string, unknown>, etag: string): Promise<TwinDocument>;
  /** One page of `SELECT * FROM devices`. */
  queryTwins(continuation: string | undefined, pageSize: number): Promise<TwinPage>;
  /** The built-in endpoint, asked from the hub (amqp:link:redirect on messages/events). */
  findBuiltInEndpoint(signal: AbortSignal): Promise<BuiltInEndpoint>;
  close(): Promise<void>;
}

export type IotHubApiFactory = () => IotHubApi | Promise<IotHubApi>;

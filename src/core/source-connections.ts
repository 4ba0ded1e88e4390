/**
 * The row a source with several network connections to one endpoint (an MQTT integration with
 * `connections` above 1) reports for each in `details.connections`; the metrics read it.
 */
export interface SourceConnectionStatus {
  /** 1-based number of the connection. */
  connection: number;
  clientId: string;
  connected: boolean;
  /** Messages taken in on this connection since the integration started. */
  received: number;
  reconnects: number;
  /** Why the connection last dropped or failed to reconnect (null once it is up again). */
  lastError: { code: string; message: string } | null;
}

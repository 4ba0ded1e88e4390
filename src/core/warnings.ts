/**
 * The Cloudbridge warning catalogue, beside the error catalogue (errors.ts): a warning is a
 * condition that does not stop anything yet but will, or that loses something quietly, and that
 * the user can fix. Every WARNING event (`ctx.warn()`, the service's own warnings, debug rate
 * limiting) carries one of these codes; `docs/errors.md` lists them, generated from this table.
 */
export const WARNING_CATALOGUE = {
  CREDENTIAL_EXPIRY: {
    summary: 'A credential of an integration or a forwarder whose expiry is known (a TLS client or CA certificate, a shared access signature in a connection string, temporary keys), or the certificate the API serves (server.tls.cert), expires within credentialExpiry.warnDays, or has expired. One warning per credential, repeated once a day; the message names the integration, the forwarder or the server, the config field (never its value), the date and the days left. The integration status lists it under credentials and /metrics has cloudbridge_credential_expiry_seconds.',
    fix: 'Follow the fix in the message: issue a new credential (a certificate with its key) and put it in the field the message names before the date; the integration or forwarder reconnects with it without losing messages, and a reload (SIGHUP) serves a renewed server.tls certificate without a restart.',
  },
  CONFIG_WARNING: {
    summary: 'The integration\'s config works but is likely a mistake (e.g. a topic filter that receives everything, QoS 0, a non-standard port).',
    fix: 'Change the field the warning names, or leave it when it is what you meant.',
  },
  SQS_FIFO_MISMATCH: {
    summary: 'The queue\'s FifoQueue attribute and its name (.fifo) disagree; order is kept per MessageGroupId only for FIFO queues.',
    fix: 'Check queueUrl: a FIFO queue\'s name ends in .fifo.',
  },
  SQS_VISIBILITY_CAP: {
    summary: 'A message was not stored within 12 hours of its receipt, the longest SQS keeps a message invisible: it will be received again (and recognised as a duplicate once stored).',
    fix: 'Find out why the store is stalled (integration status, /ready).',
  },
  SQS_LAST_RECEIVE: {
    summary: 'Messages reached the redrive policy\'s maxReceiveCount: if storing them fails once more, SQS moves them to the dead-letter queue.',
    fix: 'Check the store, or raise maxReceiveCount in the queue\'s redrive policy.',
  },
  DEBUG_RATE_LIMITED: {
    summary: 'The debug event rate limit was reached: some debug events are not recorded (repeats at most once a minute).',
    fix: 'Turn debug-all off when done, or expect gaps in the debug events while it is on.',
  },
  STORE_DISK_LOW: {
    summary: 'Free disk space where the SQLite database is fell below store.sqlite.diskFreeWarning; commits fail once the disk is full.',
    fix: 'Free disk space or grow the volume; shorten retention if the database keeps growing.',
  },
  API_NOT_ENCRYPTED: {
    summary: 'The API listens on an address other machines can reach (server.host) without TLS: tokens and data cross the network in clear text.',
    fix: 'Set server.tls (cert and key) to serve HTTPS, or set server.host to 127.0.0.1 and put a TLS-terminating reverse proxy in front.',
  },
  STORE_WAL_BLOCKED: {
    summary: 'The SQLite write-ahead log grew past its bound because another process keeps a read transaction open.',
    fix: 'Close the other process\'s long read (e.g. an open sqlite3 shell or a backup tool reading the live file).',
  },
  KINESIS_THROTTLED: {
    summary: 'Kinesis refused GetRecords calls on a shard (ProvisionedThroughputExceeded): its read limit of 5 calls and 2 MB per second, shared by every consumer of the stream, is used up. Cloudbridge backs off and loses nothing, but falls behind (repeats at most once a minute; the count per shard is in the status and the metrics).',
    fix: 'Raise pollIntervalMs, remove consumers of the stream you do not need, or add shards.',
  },
  KINESIS_SHARD_EXPIRED: {
    summary: 'A Kinesis shard\'s records aged out of the stream (its retention period) before Cloudbridge read it to its end: they are lost; reading goes on with its children.',
    fix: 'Raise the stream\'s retention period if Cloudbridge (or its store) can be down that long.',
  },
  WATSON_CLIENT_ID_CONFLICT: {
    summary: 'Watson IoT keeps closing the integration\'s connection soon after it connects: another application connects with the same client id a:<orgId>:<appId>, and each takes over the other\'s connection (repeats at most once an hour).',
    fix: 'Give every application (each Cloudbridge instance and integration, and any other tool using the API key) its own appId, or set sharedSubscription to true on every instance that should share the events.',
  },
  PUBSUB_REDELIVERIES: {
    summary: 'Pub/Sub delivered messages again that Cloudbridge was still processing or had already acknowledged: their ack deadline ran out before the ack arrived. Nothing is stored twice (the message id is the dedupe key), but each copy is wasted work (repeats at most once every 10 minutes; the count is in the status as redeliveries).',
    fix: 'Raise the subscription\'s ack deadline (ackDeadlineSeconds, e.g. 60), check the network to Pub/Sub and the store\'s commit latency, or lower maxMessages so fewer messages wait at once.',
  },
  PUBSUB_ACK_FAILED: {
    summary: 'An exactly-once subscription did not confirm the acknowledgement of stored messages (their ack id expired or was invalid): Pub/Sub will deliver them again, and the store recognises them as duplicates (repeats at most once a minute; the count is in the status as ackFailures).',
    fix: 'Raise the subscription\'s ack deadline and check the store\'s commit latency; confirmation failures while the connection is unstable are expected and harmless.',
  },
  FORWARDER_ROWS_REFUSED: {
    summary: 'A forwarder\'s peer refused rows of a device (ThingsBoard: a PUBACK reason code such as 0x99 payload format invalid or 0x97 quota exceeded, or an MQTT 3.1.1 close on the row): they were moved to the dead letters (stage forward) with the reason; the other rows were delivered.',
    fix: 'Follow the fix in the message (raise the device limit, fix the uplink converter), then replay the dead letters.',
  },
  FORWARDER_OUTBOX_FILLING: {
    summary: 'A forwarder\'s outbox holds 80 % or more of its retention.maxRows: its peer has been unreachable or slow for a while; beyond the limit the oldest rows are dead-lettered unsent (repeats at most every 10 minutes).',
    fix: 'Check the forwarder\'s status (GET /api/v1/forwarders/<name>) for its last error and bring the peer back; raise retention.maxRows if the outage is expected to last.',
  },
  FORWARDER_OUTBOX_EXPIRED: {
    summary: 'Outbox rows passed a forwarder\'s retention (retention.maxAgeHours or maxRows) and were moved to the dead letters (code OUTBOX_RETENTION) unsent.',
    fix: 'Bring the peer back, then replay the dead letters of stage forward; raise the retention for longer outages.',
  },
} as const satisfies Record<string, { summary: string; fix: string }>;

export type WarningCode = keyof typeof WARNING_CATALOGUE;

/** The explanatory sections of the generated `mqtt` docs page (docs/connectors/mqtt.md). */
export const MQTT_GUIDE = `## Several connections

Each QoS 1 message is acknowledged (PUBACK) only after it is committed, and a broker lets one
connection hold only so many un-acknowledged messages: Mosquitto's \`max_inflight_messages\` (20
unless configured), the client's MQTT 5 Receive Maximum, AWS IoT's quota. That window divided by
the commit time caps one connection, whatever the machine can do: 20 messages per 10 ms commit is
2000 msg/s. \`connections: N\` (1 to 16, default 1) gives the integration N windows:

- **N client connections**, all subscribing to every topic filter as one broker shared
  subscription, \`$share/<sharedGroup>/<filter>\`: the broker hands each message to one member of
  the group. \`sharedGroup\` defaults to the client id (\`/\`, \`+\` and \`#\` replaced by \`_\`), so a
  new \`clientId\` also means a new group. Write the topic filters plain; a filter that already
  starts with \`$share/\` is refused when Cloudbridge makes the shared subscription itself.
- **Connection 1 keeps \`clientId\`**, connection i uses \`<clientId>-<i>\`. Each has its own
  persistent session (\`cleanSession: false\`), PUBACK order, reconnect backoff and share of
  \`maxInFlight\` (1000 over 4 connections: 250 each, also their MQTT 5 Receive Maximum). Raising
  \`connections\` from 1 resumes connection 1's session, so what the broker queued for it while
  Cloudbridge restarted still arrives; its plain subscriptions are removed, so nothing arrives twice.
- **Broker support.** MQTT 5 brokers that offer shared subscriptions (most do); on MQTT 3.1.1,
  Mosquitto 1.6 and later, AWS IoT Core, EMQX, HiveMQ and VerneMQ accept \`$share\` too. A broker
  without them refuses the subscription or never delivers anything to it. The connections
  subscribe again at every reconnect, because Mosquitto before 2.0.12 restores a session from its
  persistence file without its shared subscriptions; on such a Mosquitto, what is published after
  a broker restart and before Cloudbridge reconnects reaches no member and is dropped by the
  broker: use Mosquitto 2.0.12 or later.
- \`sharedGroup\` set with one connection subscribes shared too, e.g. so that several Cloudbridge
  instances (each with its own \`clientId\`) split one stream.

**Order.** The broker chooses the member per message. Mosquitto 2.0 goes round the group in turn,
message by message whatever the topic, and has no setting to change it (EMQX can be told to hash by
topic or publisher); AWS IoT picks at random. So two messages of one device may travel on different
connections and be committed in either order. Telemetry with its own \`ts\` is not affected (points
are keyed by their timestamp and the latest value keeps the newest one); attributes are
last-committed-wins, so a device that changes an attribute twice in quick succession may keep the
older value. Keep \`connections: 1\` where that order matters.

**Guarantees per connection.** A dropped connection reconnects with its own backoff while the others
go on; what it had not acknowledged is redelivered to it (flagged DUP, checked against the content
hashes of what was committed, so nothing is stored twice). Mosquitto goes on queueing that
connection's turn of the messages in its session while it is away, so they arrive once it is back:
a connection that is down delays its share, it does not lose it (with \`cleanSession: true\` it
does). A store outage rejects the deliveries of every connection, and each reconnects after the
pipeline's retry delay.

**Lowering \`connections\`.** The sessions of the connections taken away stay members of the group,
and the broker goes on handing them their turn (Mosquitto queues those messages until a client
resumes the session, up to \`max_queued_messages\`). Nothing is lost while the sessions exist:
raising \`connections\` again drains them. Cloudbridge does not remove sessions it no longer uses; to
lower \`connections\` for good, switch to a new \`clientId\` (new sessions, new group) at a moment
when the old ones hold nothing, and remove the old sessions on the broker.

**Memory.** Each connection is one socket and one MQTT client, about 15 KiB of heap when idle
(an integration with 16 connections held 232 KiB, one with 1 held 22 KiB); messages in flight are
bounded by \`maxInFlight\` over all connections, as with one.

## Status and metrics

The integration status (\`details\`) shows \`connected\` (every connection is up), \`connectedCount\`,
\`sharedGroup\` (null for plain subscriptions) and one row per connection in \`connections\`: its
client id, whether it is up, since when, its session, reconnects, messages received, delivered,
rejected, un-acknowledged and in flight, and the error it last dropped with. One connection
dropping makes the integration RECONNECTING with that error until every connection is up again.
Prometheus: \`cloudbridge_source_connections\` and \`cloudbridge_source_connections_up\` per
integration, and \`cloudbridge_source_connection_received_total{connection, client_id}\`, which shows
how the broker spreads the messages.
`;

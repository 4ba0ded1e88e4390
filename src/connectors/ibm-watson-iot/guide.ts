/** The explanatory sections of the generated `ibm-watson-iot` docs page (docs/connectors/ibm-watson-iot.md). */
export const WATSON_GUIDE = `## How it connects

Cloudbridge is a Watson IoT *application*: it connects to \`<orgId>.messaging.<domain>\` on port
8883 over TLS with MQTT 3.1.1, user name = \`apiKey\`, password = \`authToken\`, and subscribes to
\`iot-2/type/<deviceType>/id/<deviceId>/evt/<eventId>/fmt/<format>\` once per entry of \`events\`.
The client id is \`a:<orgId>:<appId>\` with a durable session (clean session off): Watson IoT keeps
what was not acknowledged, and what arrives while Cloudbridge is away, and redelivers it. Each QoS 1
event is acknowledged (PUBACK) only after it is committed, as for the \`mqtt\` connector (see its page
for the redelivery and dedupe details). \`host\`, \`port\` and \`ca\` point it at a private
deployment or a test broker instead.

## Several instances

An \`a:\` client id must be unique: a second connection with it makes Watson IoT close the first.
To split the events of one organization over several Cloudbridge instances, set
\`sharedSubscription: true\` on each, with the same \`appId\`: they connect as the scalable
application \`A:<orgId>:<appId>\` and Watson IoT hands each event to one of them. Watson IoT allows
scalable applications only non-durable subscriptions, so the session is clean: what is in flight on
a connection that ends is not redelivered (a warning says so when the config is saved).

## Device status

With \`deviceStatus: true\` Cloudbridge also subscribes to the status topics
\`iot-2/type/<deviceType>/id/<deviceId>/mon\` (for the device types and ids of \`events\`). Watson IoT
publishes a message there when a device connects (\`"Action": "Connect"\`) or disconnects
(\`"Disconnect"\`). Cloudbridge stores it without the uplink converter: the device named by
\`statusDeviceName\` (default \`\${deviceId}\`) gets the client attribute \`connected\` (true or false),
and \`lastConnectTime\` or \`lastDisconnectTime\` (epoch ms, from the message's \`Time\`).

The mechanism is general: a connector may hand the pipeline a message together with the records it
derived itself (\`UplinkMessage.records\`); the pipeline then skips the converter for that message
and commits the records in the same transaction as the other messages of the batch, with the same
dedupe key and acknowledgement after the commit. A redelivered status message is therefore stored
once, and the attribute keeps the last status received. A status message without a readable
\`Action\` goes to the uplink converter like an event, with metadata \`messageType: status\`.

## Commands

A downlink is published with QoS 1 to the fixed topic
\`iot-2/type/<deviceType>/id/<deviceId>/cmd/<commandId>/fmt/<format>\`, its parts from the encoder's
metadata (\`deviceType\`, \`deviceId\`, \`commandId\`, \`format\`, or ThingsBoard's \`device_type\`,
\`device_id\`, \`command_id\`). Each part is checked before publishing. A device receives it on
\`iot-2/cmd/<commandId>/fmt/<format>\`. The API key's role must allow sending commands.

## Tested against

Mosquitto 2.0 over TLS with a password file and an ACL that lets only the application's API key
read the event and status topics and write the command topics, and a device identity publish
events and read commands (\`test/peers/watson-broker.ts\`). Mosquitto does not rewrite device topics
as Watson IoT does (a device publishes to \`iot-2/evt/...\`, applications see
\`iot-2/type/.../id/.../evt/...\`): the test device publishes to the application-side topic. Scalable
applications (\`A:\` client ids shared by several connections) are Watson IoT's own extension and are
not exercised there: Mosquitto treats a second connection with a client id as a takeover.

## Least-privilege API key role

Generate the API key (platform dashboard → Apps → API Keys → Generate API key) with the role that
covers what the integration does (receive events and device status; send commands for downlinks):

| Role | Receives device events and status | Sends commands | Use |
|---|---|---|---|
| Standard Application | yes | yes | the least privilege with downlinks: choose this |
| Backend Trusted Application | yes | yes | also acts on behalf of devices and gateways: more than Cloudbridge needs |

Each integration (and each instance, unless \`sharedSubscription\` is on) needs its own \`appId\`;
the key can be shared. The token is shown once, when the key is generated.
`;

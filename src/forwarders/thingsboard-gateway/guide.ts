/** The "how it works" sections of the generated docs page (docs/forwarders/thingsboard-gateway.md). */
export const TB_GATEWAY_GUIDE = `## What goes where

| Cloudbridge | Gateway API topic | ThingsBoard |
|---|---|---|
| a device's first row in a session (and every known device when the session starts) | \`v1/gateway/connect\` \`{device, type}\` | the device, created with the device profile named by its type |
| stored telemetry (with the ts it was stored at) | \`v1/gateway/telemetry\` \`{device: [{ts, values}]}\` | time series |
| client attributes | \`v1/gateway/attributes\` \`{device: {...}}\` | client-side attributes |
| converter \`rpcReply\`, or the outcome of an RPC downlink | \`v1/gateway/rpc\` \`{device, id, data}\` | the RPC's reply |
| converter \`attributeRequest\` | \`v1/gateway/attributes/request\` | answered on \`v1/gateway/attributes/response\` → an \`ATTRIBUTES_RESPONSE\` downlink |

## Delivery

Rows are read from the outbox in commit order and published at QoS 1, up to \`batchMaxMessages\` rows
per publish and \`maxInFlight\` publishes unacknowledged; a row is deleted only once every publish that
carries it was acknowledged (PUBACK). A refused publish (MQTT 5 reason code) is split until the refused
device or row is found: those rows go to the dead letters (stage \`forward\`, code \`FORWARD_REFUSED\`,
the reason and the fix), the others are sent again. With MQTT 3.1.1 ThingsBoard closes the connection
instead: the next session sends the rows that were in flight in halves, and a row that closes the
connection alone twice is dead-lettered.
`;

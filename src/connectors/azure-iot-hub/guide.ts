import { sasAccessIntro } from '../azure-common/index.ts';

/** The explanatory sections of the generated `azure-iot-hub` docs page (docs/connectors/azure-iot-hub.md). */
export const IOT_HUB_GUIDE = `## Device-to-cloud

Device messages are read from the hub's **built-in endpoint** (an event hub the hub owns) with the
same reader as the \`azure-event-hubs\` connector: partitions shared by the instances on one
database through the SDK's load balancer over Cloudbridge's leases, each partition's checkpoint
committed in the same transaction as its data (a crash, restart or takeover neither loses nor
duplicates a message). The endpoint is asked from the hub at each start, as Microsoft's samples do
(a receiver on \`messages/events\` is redirected with \`amqp:link:redirect\`, whose info names the
endpoint's host, port and name), so a failover that moves the endpoint is followed; or give
\`eventHubCompatibleConnectionString\`.

Metadata: as the Event Hubs connector (application properties, partition, sequence number, offset,
enqueued time) with the IoT Hub system properties (\`iothub-connection-device-id\`,
\`iothub-enqueuedtime\`, \`iothub-message-source\`, ...) and **\`deviceId\`**, the sending device.

**Routing**: the built-in endpoint receives device messages only while no custom route exists, or
when a route (or the fallback route) sends them to \`events\`. A route to a storage account or
Service Bus alone takes them away from Cloudbridge.

## Cloud-to-device downlinks

Each downlink is sent with \`Client.send\` to \`metadata.deviceId\` (default: the device name), message
id = the downlink's id, \`ack: full\`, expiry \`expirySeconds\` from now (set in epoch milliseconds:
azure-iothub 1.16 never settles a send whose expiry is a \`Date\`), content type from the converter's
output, \`correlationId\` from the metadata and the other metadata as application properties.
The downlink's **status** is \`sent\` once the hub queued it; its **outcome** comes later from the
hub's feedback: \`delivered\` (the device completed it), \`expired\`, \`rejected\`, \`purged\`, or
\`deliveryCountExceeded\`; see it in \`GET /api/v1/downlinks/<id>\` (and \`/devices/<name>/downlinks\`) and in
the DEBUG_DOWNLINK events.

Limits: 50 messages queued per device (the 51st fails with DOWNLINK_FAILED: "the cloud-to-device
queue of device … is full"), 64 KiB per message, expiry at most the hub's cloud-to-device time to
live.
azure-iothub's feedback receiver accepts each feedback message when it arrives: if the database is
down for longer than a minute at that moment, those outcomes are not recorded (counted in the
status as \`feedback.lost\`) and the downlinks keep the status \`sent\`.

## Device twins

- A downlink with \`msgType\` **\`ATTRIBUTES_UPDATED\`** (a shared-attributes update) patches the twin's
  **desired properties** with the downlink converter's output (a JSON object; \`null\` removes a
  property), after reading the twin's etag (If-Match; retried once if the twin changed meanwhile).
  Policy right: RegistryWrite. At most 32 KiB of desired properties.
- **Reported properties** become **client attributes** of the device named like its device id: on
  demand with the \`readTwin\` action (\`POST /api/v1/integrations/<name>/actions/readTwin\` with
  \`{"deviceId": "..."}\`), and for every twin whose reported properties changed every
  \`twinSyncIntervalSeconds\` (one paged registry query; the \`syncTwins\` action runs it now). They are
  stored through the pipeline (ADR 015): without the uplink converter, deduplicated by the reported
  properties' \`$version\` and update time, so reading a twin twice stores it once. Policy right:
  RegistryRead.

## Actions

| Action | Input | Result |
|---|---|---|
| \`readTwin\` | \`{"deviceId": "..."}\` | the device id, reported properties and \`$version\`, whether they were stored now |
| \`syncTwins\` | \`{}\` | the twin sync counters |

${sasAccessIntro('IoT Hub Data Contributor')} Create a policy of the hub (IoT Hub →
Security settings → Shared access policies) with only the permissions the features you use need:

| Permission | For |
|---|---|
| Service connect | device-to-cloud messages (the built-in endpoint), cloud-to-device messages and their delivery feedback |
| Registry read | \`readTwin\`, \`twinSyncIntervalSeconds\` |
| Registry write | \`ATTRIBUTES_UPDATED\` downlinks (desired properties) |
| Device connect | never needed (it lets a key act as any device) |

The built-in \`service\` policy has Service connect only; \`iothubowner\` has everything, more than
Cloudbridge needs. With \`eventHubCompatibleConnectionString\`, that string (built-in endpoint →
Event Hub-compatible endpoint) carries the \`service\` policy's Listen right. Give Cloudbridge its
own consumer group on the built-in endpoint.
`;

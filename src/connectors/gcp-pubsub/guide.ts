/** The explanatory sections of the generated `gcp-pubsub` docs page (docs/connectors/gcp-pubsub.md). */
export const PUBSUB_GUIDE = `## How it reads

- **Streaming pull** on the official client (\`@google-cloud/pubsub\`), with flow control: at most
  \`maxMessages\` messages and \`maxBytes\` bytes received and not acknowledged at once. The messages
  of one pull response go to the pipeline as one delivery (at most 500).
- **Acknowledged after the commit.** A message is acknowledged only when its results (or its dead
  letter) are committed. Until then the client extends its ack deadline, for at most
  \`maxAckExtensionSeconds\`, so a slow store does not cause redeliveries.
- **A delivery that could not be stored** (database down) is not given back (nack), which would
  start a hot loop of redeliveries and count towards a dead-letter policy: the messages stay leased,
  are held for the pipeline's retry delay (growing to 30 s while failures go on), then offered to
  the pipeline again. Should Cloudbridge crash meanwhile, Pub/Sub redelivers them after their ack
  deadline.
- **Exactly-once subscriptions** (\`enableExactlyOnceDelivery\`): acknowledgements are confirmed
  (\`ackWithResponse\`); one that is not confirmed is logged, counted (\`ackFailures\`) and warned
  about (\`PUBSUB_ACK_FAILED\`). Cloudbridge's own dedupe already makes an at-least-once
  subscription store every message once; exactly-once only saves the redelivery.
- **Ordering keys** (subscription created with \`enableMessageOrdering\`): per key, messages are
  stored in publish order, also across a failed delivery: a delivery's rejection rejects the later
  ones, they are offered again in order, and a newer message of a key whose messages wait for
  their retry waits behind them.
- **Stop** closes the stream, which gives back (nack) every message not acknowledged yet, for
  another instance or the next start.
- **Several instances** on one subscription are competing consumers: Pub/Sub spreads the messages
  (and keeps each ordering key on one of them at a time).

## Metadata for the converter

Every message attribute under its own name, then \`messageId\` (also as \`pubSubMsgId\`, the name
ThingsBoard's converters use), \`publishTime\` (epoch ms), \`orderingKey\` (when set) and
\`deliveryAttempt\` (only on subscriptions with a dead-letter policy). Telemetry the converter
returns without \`ts\` is stored at the publish time. The data reaches the converter as bytes.

## Status and metrics

\`outstanding\` (received, not acknowledged), \`heldForRetry\`, \`received\`, \`delivered\`,
\`rejected\`, \`acknowledged\`, \`acksConfirmed\` / \`ackFailures\` (exactly-once), \`retried\`,
\`redeliveries\` (a message seen again while being processed or after its ack: the ack deadline is
too short, warning \`PUBSUB_REDELIVERIES\` when it recurs), \`streamRestarts\`, and the
subscription's settings (topic, ordering, exactly-once, ack deadline, dead-letter policy).

## Downlink

Published to \`downlinkTopic\`: the encoder's data as the message data, its metadata as attributes,
\`metadata.orderingKey\` as the ordering key (published with message ordering on).

## Compared with ThingsBoard

ThingsBoard's Pub/Sub integration acknowledges every message after its handler, converted or not
(a failed conversion is lost), has fixed flow control and no downlink. Cloudbridge acknowledges
only what is committed or dead-lettered, makes flow control and lease extension configurable, and
publishes downlinks. A ThingsBoard config maps as: \`projectId\` → projectId, \`subscriptionId\` →
subscription, \`serviceAccountKey\` → credentials.

## Testing with the emulator

\`gcloud beta emulators pubsub start\` (or the \`cloud-pubsub-emulator\` script), then
\`apiEndpoint: http://127.0.0.1:8085\`. The emulator keeps everything in memory (a restart forgets
topics, subscriptions and messages), does not apply subscription filters and has no IAM (the
connection check says so).

## Least-privilege roles

Grant the service account (the one in \`credentials\`, or the environment's) roles on the
resources themselves, not on the project:

| Resource | Role | For |
|---|---|---|
| the subscription | \`roles/pubsub.subscriber\` | streaming pull, ack, nack, deadline extensions (\`pubsub.subscriptions.consume\`) |
| the subscription | \`roles/pubsub.viewer\` | reading its settings at start and in the connection check (\`pubsub.subscriptions.get\`: push or pull, ordering, exactly-once, dead-letter policy) |
| the downlink topic | \`roles/pubsub.publisher\` | downlinks (\`pubsub.topics.publish\`) |
| the downlink topic | \`roles/pubsub.viewer\` | the connection check's look-up of the topic (\`pubsub.topics.get\`) |

\`\`\`bash
gcloud pubsub subscriptions add-iam-policy-binding iot-telemetry-cloudbridge \\
  --member=serviceAccount:cloudbridge@my-project.iam.gserviceaccount.com --role=roles/pubsub.subscriber
gcloud pubsub subscriptions add-iam-policy-binding iot-telemetry-cloudbridge \\
  --member=serviceAccount:cloudbridge@my-project.iam.gserviceaccount.com --role=roles/pubsub.viewer
gcloud pubsub topics add-iam-policy-binding iot-commands \\
  --member=serviceAccount:cloudbridge@my-project.iam.gserviceaccount.com --role=roles/pubsub.publisher
\`\`\`

Or one custom role with exactly the four permissions used:

\`\`\`json
{
  "title": "Cloudbridge",
  "description": "Pull from a subscription, publish downlinks",
  "stage": "GA",
  "includedPermissions": [
    "pubsub.subscriptions.get",
    "pubsub.subscriptions.consume",
    "pubsub.topics.get",
    "pubsub.topics.publish"
  ]
}
\`\`\`

A topic with a dead-letter policy on the subscription is Pub/Sub's own business: its service agent
needs publisher on the dead-letter topic and subscriber on the subscription, not Cloudbridge.
`;

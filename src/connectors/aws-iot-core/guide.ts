/** The explanatory sections of the generated `aws-iot-core` docs page (docs/connectors/aws-iot-core.md). */
export const AWS_IOT_GUIDE = `## Several connections

AWS IoT lets each connection hold only a limited number of un-acknowledged QoS 1 messages and
throttles per connection, and Cloudbridge acknowledges a message only after it is committed: one
connection is capped by that window divided by the commit time. \`connections: N\` (1 to 16) opens N
connections that subscribe to the filters as one shared subscription,
\`$share/<sharedGroup>/<filter>\` (AWS IoT supports it on MQTT 3.1.1 and 5 and hands each message
to one member, chosen at random). It works as for the \`mqtt\` connector (see its page, "Several
connections": client ids, sessions, order, lowering the count); on AWS IoT:

- Connection 1 uses \`clientId\`, connection i uses \`<clientId>-<i>\`; all of them must fit in 128
  bytes. The policy must allow iot:Connect on \`client/<clientId>-<i>\` (e.g. \`client/<clientId>*\`)
  and iot:Subscribe on \`topicfilter/$share/<sharedGroup>/<filter>\`, besides iot:Receive on the
  topics.
- \`sharedGroup\` defaults to the client id. The same \`sharedGroup\` on several Cloudbridge
  instances, each with its own \`clientId\`, splits the stream between them.
- Each connection has its own persistent session, expiring \`sessionExpirySeconds\` after it drops
  (the account quota on MQTT 3.1.1): what AWS IoT queued for it meanwhile arrives when it
  reconnects within that time.

## Least-privilege policy

An AWS IoT policy attached to the certificate in \`credentials\` (AWS IoT → Security → Policies),
for region \`eu-west-1\`, account \`123456789012\`, \`clientId: cloudbridge-plant\`, one filter
\`devices/+/telemetry\` and \`downlinkTopicPattern: commands/\${deviceName}\`. The connector
connects, subscribes, receives and (for downlinks) publishes, nothing else:

\`\`\`json
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "iot:Connect",
      "Resource": "arn:aws:iot:eu-west-1:123456789012:client/cloudbridge-plant*"
    },
    {
      "Effect": "Allow",
      "Action": "iot:Subscribe",
      "Resource": [
        "arn:aws:iot:eu-west-1:123456789012:topicfilter/devices/+/telemetry",
        "arn:aws:iot:eu-west-1:123456789012:topicfilter/$share/cloudbridge-plant/devices/+/telemetry"
      ]
    },
    {
      "Effect": "Allow",
      "Action": "iot:Receive",
      "Resource": "arn:aws:iot:eu-west-1:123456789012:topic/devices/*/telemetry"
    },
    {
      "Effect": "Allow",
      "Action": "iot:Publish",
      "Resource": "arn:aws:iot:eu-west-1:123456789012:topic/commands/*"
    }
  ]
}
\`\`\`

- \`client/cloudbridge-plant*\` covers \`<clientId>-<i>\` of \`connections\` above 1; with one
  connection \`client/cloudbridge-plant\` is enough. Every instance needs its own client id.
- In \`topicfilter/\` resources \`+\` and \`#\` are plain characters matching the filter as
  written; \`*\` is the policy wildcard. The \`$share/...\` filter is needed only with
  \`connections\` above 1 or \`sharedGroup\` set.
- Drop the \`iot:Publish\` statement without downlinks. No IAM user or role is involved: the
  certificate is the credential.
`;

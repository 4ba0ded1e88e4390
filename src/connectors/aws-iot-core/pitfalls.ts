/** The "Pitfalls" section of the generated `aws-iot-core` docs: each error or symptom, and its fix. */
import { AUTH_ADVICE, DUPLICATE_ADVICE, ENDPOINT_ADVICE, PERMISSIONS_ADVICE } from './aws-errors.ts';

export const AWS_IOT_PITFALLS: Array<{ symptom: string; fix: string }> = [
  {
    symptom: `AUTH_FAILED "${AUTH_ADVICE}" (the TLS handshake failed with an unknown-CA or bad-certificate alert, or AWS IoT closed the connection before accepting it).`,
    fix: 'In the AWS IoT console (Security → Certificates) the certificate in credentials.cert must be registered in the same account and region as the endpoint and be Active, with a policy attached that allows iot:Connect on arn:aws:iot:<region>:<account-id>:client/<clientId>. A certificate from your own CA needs that CA registered in AWS IoT too.',
  },
  {
    symptom: 'CONFIG_INVALID "credentials.cert: the certificate … expired" when saving or starting, or AUTH_FAILED "rejected the client certificate as expired".',
    fix: 'Create a new certificate (console, or `aws iot create-keys-and-certificate --set-as-active`), attach the same policy and thing, and update credentials.cert and credentials.key through the API or the config file: Cloudbridge reconnects with them and the persistent session keeps every message. If the certificate is not expired, fix this machine\'s clock.',
  },
  {
    symptom: 'CONFIG_INVALID "credentials.key: the private key does not belong to the client certificate (the key is EC P-256, the certificate\'s key is RSA 2048 bits)" in config lint, when saving or starting.',
    fix: 'credentials.key holds the key of another certificate (AWS IoT hands out the certificate, the private key and the public key as three files; a CSR-made certificate belongs to the key the CSR was made with). Put the private key the certificate was issued for in credentials.key. Every key type is compared (RSA, EC, Ed25519, Ed448), as for the client certificates of mqtt and the thingsboard-gateway forwarder.',
  },
  {
    symptom: 'A CREDENTIAL_EXPIRY warning event: integration "…": credentials.cert: the certificate … expires on … (in N days): before then, create a new certificate in AWS IoT ….',
    fix: 'Rotate the certificate before that date as above. The warning starts credentialExpiry.warnDays (default 30) days before and repeats once a day; the integration status lists the certificate under credentials (state expiring) and /metrics has cloudbridge_credential_expiry_seconds{integration, credential="credentials.cert"}. Once expired, the integration refuses to start (CONFIG_INVALID).',
  },
  {
    symptom: `CONNECTION_TIMEOUT or an unresolvable host: "${ENDPOINT_ADVICE}".`,
    fix: 'Use the device data endpoint of the account and region where the certificate is registered (AWS IoT console → Settings, or `aws iot describe-endpoint --endpoint-type iot:Data-ATS`; <prefix>-ats.iot.<region>.amazonaws.com), not the control-plane host iot.<region>.amazonaws.com. If outbound port 8883 is blocked, set port to 443 (ALPN x-amzn-mqtt-ca is then offered automatically).',
  },
  {
    symptom: 'TLS_FAILED "its certificate is not trusted by the default credentials.ca".',
    fix: 'Use the ATS endpoint (with -ats): the legacy endpoint without it presents a VeriSign certificate that Amazon Root CA 1 does not sign. For a custom domain set credentials.ca to the CA of its certificate. By default the Amazon Root CA 1 and 3 compiled into Node.js are trusted; no CA file is needed.',
  },
  {
    symptom: `PERMISSION_DENIED "refused the subscription" or "closed the connection while subscribing": ${PERMISSIONS_ADVICE}.`,
    fix: 'The certificate\'s policy must allow iot:Subscribe on topicfilter/<filter> (the filter as written, wildcards included) and iot:Receive on topic/<topic> for the topics it matches. With MQTT 3.1.1 AWS IoT answers a denied subscription by closing the connection; protocolVersion 5 (the default) gets a reason code instead.',
  },
  {
    symptom: 'A downlink is marked failed with DOWNLINK_FAILED "not authorized (reason code 135)", or "the connection closed before AWS IoT confirmed the downlink".',
    fix: 'Allow iot:Publish on topic/<topic> for the topics downlinkTopicPattern produces. With MQTT 3.1.1 a denied publish closes the connection, so the downlink cannot be told apart from a network drop; MQTT 5 reports the reason code.',
  },
  {
    symptom: `The integration connects and disconnects in a loop: "${DUPLICATE_ADVICE}".`,
    fix: 'AWS IoT keeps only the newest connection per client id (lifecycle disconnectReason DUPLICATE_CLIENTID). Give every integration and every Cloudbridge instance its own clientId; to spread one stream over several instances give each its own clientId and the same sharedGroup.',
  },
  {
    symptom: `With connections above 1, connection 2 or later fails with "${AUTH_ADVICE}" or PERMISSION_DENIED while connection 1 works.`,
    fix: 'Connection i uses client id <clientId>-<i> and subscribes to $share/<sharedGroup>/<filter>: the policy must allow iot:Connect on client/<clientId>-<i> (e.g. client/<clientId>*) and iot:Subscribe on topicfilter/$share/<sharedGroup>/<filter>, besides iot:Receive on the topics.',
  },
  {
    symptom: 'One connection does not go past a few hundred messages per second, however fast the store is.',
    fix: 'AWS IoT lets each connection have only a limited number of QoS 1 messages un-acknowledged and throttles per connection (AWS IoT Core quotas), and Cloudbridge acknowledges only after the commit: that window divided by the commit time caps one connection. Raise connections so that AWS IoT spreads the messages over several.',
  },
  {
    symptom: `Check connection reports "${AUTH_ADVICE}" while the running integration is fine.`,
    fix: 'The check connects as <clientId>-check so that it does not disconnect the running integration. A policy that allows only client/<clientId> refuses it: allow client/<clientId>* or ignore this check result.',
  },
  {
    symptom: 'After an outage the backlog arrives at only about 10 messages per second.',
    fix: 'AWS IoT delivers the messages stored for a persistent session at most 10 per second per client. For large backlogs route the devices\' topics with an AWS IoT rule to SQS or Kinesis and use the aws-sqs connector.',
  },
  {
    symptom: 'Messages published during a long outage are missing.',
    fix: 'AWS IoT keeps a persistent session (and its queued messages) for 1 hour after a disconnect unless the account quota is raised (up to 7 days); sessionExpirySeconds (MQTT 5) cannot exceed it. QoS 0 messages are never queued: subscribe with QoS 1.',
  },
  {
    symptom: 'A CONFIG_WARNING "topicFilters[…] "#" is too broad".',
    fix: '"#" receives every message of every device in the account and region and needs a policy allowing it. Subscribe to the topics your devices publish to, e.g. devices/+/telemetry.',
  },
  {
    symptom: 'After a reconnect, a message with exactly the topic and payload of one stored shortly before is counted as a duplicate.',
    fix: 'Redelivered (DUP) messages are recognised by a hash of topic and payload, so an identical legitimate message redelivered within the dedupe retention is dropped once. Include a timestamp or counter in payloads that must all be kept.',
  },
];

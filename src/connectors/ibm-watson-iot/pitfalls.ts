/** The "Pitfalls" section of the generated `ibm-watson-iot` docs: each error or symptom, and its fix. */
import { COMMAND_TOPIC_PATTERN } from './downlink.ts';
import { TAKEOVER_ADVICE, TOKEN_ADVICE } from './watson-errors.ts';

export const WATSON_PITFALLS: Array<{ symptom: string; fix: string }> = [
  {
    symptom: 'CONFIG_INVALID "apiKey: this is not a Watson IoT application API key" when saving or starting.',
    fix: 'An application API key has three parts, a-<orgId>-<suffix> (e.g. a-abc123-x7y8z9w0v1). Generate one in the platform dashboard (Apps → API Keys → Generate API key). A device\'s authentication token, the key\'s own token, or an IBM Cloud (IAM) API key are not application API keys.',
  },
  {
    symptom: 'CONFIG_INVALID "orgId: … does not match the organization of apiKey".',
    fix: 'An API key works only in the organization that issued it, whose id is the middle part of the key. Set orgId to that organization, or generate a key in the organization you meant.',
  },
  {
    symptom: `AUTH_FAILED "Watson IoT … rejected API key … not authorized: ${TOKEN_ADVICE}".`,
    fix: 'The token does not belong to the key, or the key was deleted or revoked. The token is shown only once, when the key is generated: generate a new API key (with a role that allows receiving events and sending commands) and set both apiKey and authToken.',
  },
  {
    symptom: `A WATSON_CLIENT_ID_CONFLICT warning, or the integration connecting and disconnecting in a loop: "${TAKEOVER_ADVICE}".`,
    fix: 'Watson IoT keeps one connection per a:<orgId>:<appId> and closes the older one when another connects with the same client id; the two then take the connection from each other. Give every integration, every Cloudbridge instance and every other tool its own appId. To split one event stream over several instances, set sharedSubscription to true on all of them (client id A:<orgId>:<appId>) with the same appId.',
  },
  {
    symptom: 'With sharedSubscription, events are missing after all instances were restarted or one crashed.',
    fix: 'Watson IoT gives scalable applications only non-durable subscriptions: events in flight on a connection that ends, and events published while no instance is connected, are not kept. Where every event must be stored, use sharedSubscription false (a durable session per unique appId).',
  },
  {
    symptom: 'Connections are refused or closed and events stop although the credentials did not change (Lite plan).',
    fix: 'A Lite plan organization has monthly caps (data exchanged, devices, and similar); once one is reached, Watson IoT stops accepting traffic until the next month. Check the organization\'s Usage page in the dashboard, and upgrade the plan for production loads.',
  },
  {
    symptom: 'A downlink is marked failed with DOWNLINK_FAILED "a Watson IoT command goes to iot-2/type/${deviceType}/… : the downlink converter must return metadata …".',
    fix: `The command topic is fixed, ${COMMAND_TOPIC_PATTERN}, as in ThingsBoard: the encoder returns its parts in metadata as deviceType, deviceId, commandId and format, or with ThingsBoard's keys device_type, device_id, command_id and format (ThingsBoard encoders run unchanged). Without format the content type gives it (JSON → json, TEXT → text, BINARY → bin). A part must not be empty or contain "/", "+" or "#".`,
  },
  {
    symptom: 'CONNECTION_FAILED "The Watson IoT broker <orgId>.messaging.internetofthings.ibmcloud.com:8883 could not be resolved".',
    fix: 'Check orgId. IBM withdrew Watson IoT Platform from marketing on 2020-12-09 (new organizations can no longer be created): for a private deployment of the platform (or its Message Gateway), set host, port and ca to its MQTT endpoint; the topics, client ids and credentials stay the same.',
  },
  {
    symptom: 'TLS_FAILED "the broker certificate is not trusted: set ca …".',
    fix: 'A private deployment or test broker presents a certificate from its own CA: put that CA certificate (PEM) in ca.',
  },
  {
    symptom: 'The connected attribute appears on a device other than the one the events are stored on.',
    fix: 'statusDeviceName (default ${deviceId}) names the device a status is stored on; make it produce the deviceName your uplink converter returns for the same device, e.g. ${deviceType}-${deviceId}. With allowCreateDevices false, the status of a device not created yet is dead-lettered.',
  },
  {
    symptom: 'After a reconnect, an event with exactly the topic and payload of one stored shortly before is counted as a duplicate.',
    fix: 'Watson IoT events carry no message id, so redelivered (DUP) events are recognised by a hash of topic and payload, and an identical legitimate event redelivered within the dedupe retention is dropped once. Include a timestamp or counter in payloads that must all be kept.',
  },
];

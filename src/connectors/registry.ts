/**
 * The connector registry: one line per connector plugin. Adding a connector means adding its
 * folder under src/connectors/ and one line here; nothing else in core, API or UI changes.
 */
import type { ConnectorDefinition } from '../core/connector.ts';
import { awsIotCoreConnector } from './aws-iot-core/index.ts';
import { awsKinesisConnector } from './aws-kinesis/index.ts';
import { awsSqsConnector } from './aws-sqs/index.ts';
import { azureEventHubsConnector } from './azure-event-hubs/index.ts';
import { azureIotHubConnector } from './azure-iot-hub/index.ts';
import { azureServiceBusConnector } from './azure-service-bus/index.ts';
import { gcpPubSubConnector } from './gcp-pubsub/index.ts';
import { watsonIotConnector } from './ibm-watson-iot/index.ts';
import { mqttConnector } from './mqtt/index.ts';

export const connectorDefinitions: readonly ConnectorDefinition[] = [
  mqttConnector,
  awsIotCoreConnector,
  awsSqsConnector,
  awsKinesisConnector,
  azureEventHubsConnector,
  azureIotHubConnector,
  azureServiceBusConnector,
  watsonIotConnector,
  gcpPubSubConnector,
];

export function findConnector(type: string): ConnectorDefinition | undefined {
  return connectorDefinitions.find((d) => d.type === type);
}

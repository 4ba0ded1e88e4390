/** The mapping of each ThingsBoard integration type Cloudbridge imports (the eight clouds and MQTT), by ThingsBoard type. */
import { awsIot } from './aws-iot.ts';
import { awsKinesis } from './aws-kinesis.ts';
import { awsSqs } from './aws-sqs.ts';
import { azureEventHub } from './azure-event-hub.ts';
import { azureIotHub } from './azure-iot-hub.ts';
import { azureServiceBus } from './azure-service-bus.ts';
import { ibmWatson } from './ibm-watson.ts';
import { mqtt } from './mqtt.ts';
import { pubSub } from './pub-sub.ts';
import type { TypeMapping } from './common.ts';

export type { MapContext, TypeMapping } from './common.ts';

export const TYPE_MAPPINGS: readonly TypeMapping[] = [awsIot, awsKinesis, awsSqs, azureIotHub, azureEventHub, azureServiceBus, pubSub, ibmWatson, mqtt];

export function mappingFor(tbType: string): TypeMapping | undefined {
  return TYPE_MAPPINGS.find((m) => m.tbType === tbType);
}

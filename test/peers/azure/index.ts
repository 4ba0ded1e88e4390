/** The Azure AMQP 1.0 test double: public API. See README.md. */
export { startAzureDouble } from './server.ts';
export type { AzureDouble, AzureDoubleOptions } from './server.ts';
export type { AzureDoubleHooks, ServiceName, EventSnapshot, SbMessageSnapshot, C2dSnapshot, ConnectionSnapshot } from './hooks.ts';
export type { AzureDoubleTopology, HubTopology, QueueTopology, TopicTopology, SubscriptionTopology, IotHubTopology, EntityRules } from './topology.ts';
export { DEFAULT_TOPOLOGY } from './topology.ts';
export type { MessageSpec } from './message-builder.ts';
export type { AttachRefusal } from './faults.ts';
export type { SasKey, SasRight } from './sas.ts';
export { createSasToken } from './sas.ts';
export { CONDITIONS } from './conditions.ts';
export type { FeedbackRecord, FeedbackStatus } from './iot-hub/devices.ts';

/** The `ibm-watson-iot` connector plugin. */
export { watsonIotConnector } from './definition.ts';
export {
  WatsonIotConfigSpec, WATSON_DEFAULTS, resolveWatsonConfig, watsonClientId, type WatsonIotConfig, type ResolvedWatsonConfig, type EventSubscription,
} from './config-spec.ts';
export { WatsonIotSource, watsonConnectSettings, type WatsonSourceStatus, type WatsonSourceOptions } from './watson-source.ts';
export { validateWatsonConfig, apiKeyOrg, type WatsonValidation } from './validate.ts';
export { watsonCommandTopic, COMMAND_TOPIC_PATTERN } from './downlink.ts';
export { parseTopic, subscriptionFilters, topicPartProblem, type WatsonTopic } from './topics.ts';
export { readDeviceStatus, statusRecord, type DeviceStatus } from './device-status.ts';
export { watsonUplinkBuilder } from './uplink-message.ts';
export { watsonErrorAdvisor, TOKEN_ADVICE, TAKEOVER_ADVICE } from './watson-errors.ts';
export { TakeoverWatch } from './takeover-watch.ts';
export { WATSON_PITFALLS } from './pitfalls.ts';

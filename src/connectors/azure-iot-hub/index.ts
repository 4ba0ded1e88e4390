/**
 * The `azure-iot-hub` connector plugin. The SDK client (`sdk-iot-hub-api.ts`, on azure-iothub and
 * rhea) is not exported: `sdkApiFor` loads it on first use, so importing the plugin loads no SDK.
 */
export { azureIotHubConnector, sdkApiFor } from './definition.ts';
export { validateIotHubConfig, expectIotHubString } from './validate.ts';
export { IotHubConfigSpec, resolveIotHubConfig, IOT_HUB_DEFAULTS, type IotHubConfig, type ResolvedIotHubConfig } from './config-spec.ts';
export { IotHubSource, type IotHubSourceOptions } from './iot-hub-source.ts';
export type { SdkIotHubApi, SdkIotHubSettings } from './sdk-iot-hub-api.ts';
export type { IotHubApi, IotHubApiFactory, C2dRequest, FeedbackRecord, TwinDocument, TwinPage, BuiltInEndpoint } from './iot-hub-api.ts';
export { translateIotHubError, type IotHubErrorContext, type IotHubOperation } from './iot-hub-errors.ts';
export { buildC2dRequest, desiredPatch, isTwinPatch, targetDevice, C2D_MAX_BYTES, DESIRED_MAX_BYTES } from './downlink.ts';
export { outcomeOf, recordFeedback } from './feedback.ts';
export { HostPortAgent } from './host-port-agent.ts';

/** The `aws-iot-core` connector plugin. */
export { awsIotCoreConnector, checkClientId } from './definition.ts';
export { AwsIotCoreConfigSpec, AwsIotCredentialsSpec, AWS_IOT_DEFAULTS, resolveAwsIotConfig, type AwsIotCoreConfig, type ResolvedAwsIotConfig } from './config-spec.ts';
export { AwsIotCoreSource, awsIotConnectSettings, type AwsIotSourceStatus, type AwsIotSourceOptions } from './aws-iot-source.ts';
export { validateAwsIotConfig, CONFIG_WARNING, type AwsIotValidation } from './validate.ts';
export { checkCredentials, certificateInfo, renewAdvice, type CertificateInfo, type CredentialWarning } from './certificate.ts';
export { awsIotErrorAdvisor, AUTH_ADVICE, PERMISSIONS_ADVICE, DUPLICATE_ADVICE, ENDPOINT_ADVICE, type AwsAdviceContext } from './aws-errors.ts';
export { inspectEndpoint, type EndpointInfo } from './endpoint.ts';
export { amazonRootTrust, type DefaultTrust } from './amazon-root-ca.ts';
export { AWS_IOT_PITFALLS } from './pitfalls.ts';

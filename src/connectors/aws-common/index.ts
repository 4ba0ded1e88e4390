/**
 * What the AWS SDK connectors (`aws-sqs`, `aws-kinesis`) share: not a connector (the registry has no
 * line for it), the building blocks each of them uses from its own folder, as the MQTT-based
 * connectors use `mqtt/`. It imports no service SDK: each connector keeps its own client.
 */
export {
  awsConnectionFields, resolveAwsConnection,
  type AwsConnectionConfig, type AwsConnectionFieldText, type AwsStaticCredentials, type ResolvedAwsConnection,
} from './config-spec.ts';
export {
  awsErrorCode, isAwsCredentialsError, translateAwsError, AUTH_CODES, DENIED_CODES, EXPIRED_TOKEN_CODES, SIGNATURE_CODES,
  type AwsErrorFacts, type AwsErrorRules,
} from './aws-errors.ts';
export {
  AwsCredentialExpiry, awsCredentialExpiry, awsSdkClientParts, describeAwsCredentials, CONNECTION_TIMEOUT_MS,
  type AwsSdkClientConfig, type AwsSdkClientParts, type AwsSdkClientSettings,
} from './sdk-client.ts';

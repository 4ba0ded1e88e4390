/**
 * Config spec fields every AWS SDK connector (`aws-sqs`, `aws-kinesis`) has, named and checked the
 * same everywhere: region, static credentials (accessKeyId, secretAccessKey, sessionToken) and an
 * endpoint override; and how they resolve (empty strings are unset, static credentials only when
 * both key parts are given, the region falling back to the environment).
 */
import { Type } from '@sinclair/typebox';

/** Static credentials; undefined in their place means the AWS SDK default provider chain. */
export interface AwsStaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

export interface AwsConnectionFieldText {
  /** Description of `region`: what it is the region of, and its default. */
  region: string;
  /** Description of `endpoint`: what it may point to, and its default. */
  endpoint: string;
  endpointExamples: string[];
}

/**
 * The fields `region`, `accessKeyId`, `secretAccessKey`, `sessionToken` and `endpoint`, in this
 * order, for spreading into a connector's `Type.Object({...})`. Fresh schema objects on each call.
 */
export function awsConnectionFields(text: AwsConnectionFieldText) {
  return {
    region: Type.Optional(Type.String({
      minLength: 1, pattern: '^[a-z]{2}(-[a-z]+)+-\\d+$',
      description: text.region,
      examples: ['eu-west-1'],
    })),
    accessKeyId: Type.Optional(Type.String({
      minLength: 16, maxLength: 128,
      description: 'Access key id of an IAM user or role session. Leave accessKeyId and secretAccessKey empty to use the AWS SDK default provider chain (environment variables, web identity token, ECS/EC2 instance role, shared config files).',
      examples: ['AKIAIOSFODNN7EXAMPLE'],
    })),
    secretAccessKey: Type.Optional(Type.String({
      minLength: 1, secret: true,
      description: 'Secret access key belonging to accessKeyId.',
      examples: ['wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
    })),
    sessionToken: Type.Optional(Type.String({
      minLength: 1, secret: true,
      description: 'Session token, only for temporary credentials (access key ids starting with ASIA). Temporary credentials expire: prefer the default provider chain, which refreshes them.',
      examples: ['IQoJb3JpZ2luX2VjEXAMPLE'],
    })),
    endpoint: Type.Optional(Type.String({
      minLength: 1, pattern: '^https?://',
      description: text.endpoint,
      examples: text.endpointExamples,
    })),
  };
}

/** The config values of the fields of `awsConnectionFields`. */
export interface AwsConnectionConfig {
  region?: string | undefined;
  accessKeyId?: string | undefined;
  secretAccessKey?: string | undefined;
  sessionToken?: string | undefined;
  endpoint?: string | undefined;
}

export interface ResolvedAwsConnection {
  region: string | undefined;
  credentials: AwsStaticCredentials | undefined;
  endpoint: string | undefined;
}

/**
 * Region (the configured one, else `derivedRegion` (from a queue URL or stream ARN), else
 * AWS_REGION, else AWS_DEFAULT_REGION), static credentials when accessKeyId and secretAccessKey are
 * both set, and the endpoint override.
 */
export function resolveAwsConnection(config: AwsConnectionConfig, derivedRegion: string | undefined, env: NodeJS.ProcessEnv): ResolvedAwsConnection {
  const accessKeyId = config.accessKeyId || undefined;
  const secretAccessKey = config.secretAccessKey || undefined;
  return {
    region: config.region || derivedRegion || env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined,
    credentials: accessKeyId && secretAccessKey
      ? { accessKeyId, secretAccessKey, sessionToken: config.sessionToken || undefined }
      : undefined,
    endpoint: config.endpoint || undefined,
  };
}

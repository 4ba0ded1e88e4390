/** Shared helpers for the aws-sqs connector tests: a connector on a fauxqs peer with a test context. */
import { awsSqsConnector } from '../../../src/connectors/aws-sqs/index.ts';
import { resolveSqsConfig, type SqsConfig } from '../../../src/connectors/aws-sqs/config-spec.ts';
import { sdkApiFor } from '../../../src/connectors/aws-sqs/definition.ts';
import { SqsSource, type SqsSourceOptions } from '../../../src/connectors/aws-sqs/sqs-source.ts';
import { FAUXQS_CREDENTIALS, type FauxqsPeer } from '../../peers/fauxqs.ts';
import { peerConnection } from '../aws-common/fixtures.ts';
import { createTestContext, type TestConnectorContext } from '../../support/connector-context.ts';

export { uniqueName } from '../aws-common/fixtures.ts';

export function peerConfig(peer: FauxqsPeer, queueUrl: string, extra: Partial<SqsConfig> = {}): SqsConfig {
  return {
    queueUrl,
    ...peerConnection(peer, FAUXQS_CREDENTIALS),
    waitTimeSeconds: 1,
    ...extra,
  };
}

export interface TestSource {
  source: SqsSource;
  ctx: TestConnectorContext;
}

/** A connector as the registry creates it, or with extra SqsSource options (watchdog timing). */
export function createSqsSource(config: SqsConfig, ctx: TestConnectorContext = createTestContext(), extra: Partial<SqsSourceOptions> = {}): TestSource {
  if (Object.keys(extra).length === 0) return { source: awsSqsConnector.create(config, ctx) as SqsSource, ctx };
  const c = resolveSqsConfig(config);
  return { source: new SqsSource({ config: c, createApi: () => sdkApiFor(c), ...extra }, ctx), ctx };
}

export function bodies(ctx: TestConnectorContext): string[] {
  return ctx.delivered.map((m) => Buffer.from(m.payload).toString('utf8'));
}

/**
 * "Check connection" for `azure-iot-hub`: the service client opens (credentials, ServiceConnect),
 * the hub names its built-in endpoint (or the given one is used), and the endpoint's partitions are
 * read (Listen on it); nothing is consumed, sent or written.
 */
import type { CheckResult } from '../../core/connector.ts';
import { toCloudbridgeError } from '../../core/errors.ts';
import type { EventHubsApiFactory } from '../azure-event-hubs/index.ts';
import type { ResolvedIotHubConfig } from './config-spec.ts';
import type { BuiltInEndpoint, IotHubApi } from './iot-hub-api.ts';
import { translateIotHubError } from './iot-hub-errors.ts';

export async function checkIotHubConnection(c: ResolvedIotHubConfig, api: IotHubApi, eventHubs: EventHubsApiFactory, signal: AbortSignal): Promise<CheckResult> {
  const checks: CheckResult['checks'] = [];
  const failed = (name: string, err: unknown): CheckResult => {
    const e = toCloudbridgeError(err);
    checks.push({ name, ok: false, message: e.message });
    return { ok: false, checks, error: { code: e.code, message: e.message } };
  };
  try {
    await api.open();
    checks.push({ name: 'service', ok: true, message: `connected to IoT Hub ${c.host} with policy ${c.keyName ?? '?'}` });
    let endpoint: BuiltInEndpoint;
    if (c.endpointGiven) {
      endpoint = { connectionString: c.endpoint.connectionString, eventHubName: c.endpoint.eventHubName, host: '(eventHubCompatibleConnectionString)' };
    } else {
      try {
        endpoint = await api.findBuiltInEndpoint(signal);
      } catch (err) {
        return failed('built-in endpoint', translateIotHubError(err, { host: c.host, keyName: c.keyName, operation: 'redirect' }));
      }
    }
    checks.push({ name: 'built-in endpoint', ok: true, message: `the hub's built-in endpoint is "${endpoint.eventHubName}" at ${endpoint.host}` });
    const eh = await eventHubs({
      connectionString: endpoint.connectionString, eventHubName: endpoint.eventHubName, consumerGroup: c.endpoint.consumerGroup,
      owner: 'connection-check', store: null, loadBalancing: c.endpoint.loadBalancing, ownershipExpirationMs: c.endpoint.ownershipExpirationSeconds * 1000, updateIntervalMs: 10_000,
    });
    try {
      const ids = await eh.getPartitionIds(signal);
      checks.push({ name: 'device-to-cloud', ok: true, message: `${ids.length} partitions readable` });
    } catch (err) {
      return failed('device-to-cloud', translateIotHubError(err, { host: endpoint.host, keyName: c.keyName, operation: 'open' }));
    } finally {
      await eh.close();
    }
    return { ok: true, checks };
  } catch (err) {
    return failed('service', translateIotHubError(err, { host: c.host, keyName: c.keyName, operation: 'open' }));
  } finally {
    await api.close().catch(() => undefined);
  }
}

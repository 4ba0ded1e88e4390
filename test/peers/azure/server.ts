/**
 * `startAzureDouble`: one call starts the Event Hubs namespace (plain + TLS), the Service Bus
 * namespace (plain + TLS) and, when the topology has one, the IoT Hub (TLS only) on free loopback
 * ports, with a fresh test certificate; it returns connection strings, test hooks and `stop`.
 */
import type { NamespaceStringOptions } from './connection-strings.ts';
import { DOUBLE_HOST, iotHubConnectionString, namespaceConnectionString } from './connection-strings.ts';
import { EventHubsService } from './event-hubs/service.ts';
import type { AzureDoubleHooks } from './hooks.ts';
import { createHooks } from './hooks.ts';
import { registryHttpHandler } from './iot-hub/registry-http.ts';
import { IotHubService } from './iot-hub/service.ts';
import { AmqpNamespace } from './namespace.ts';
import type { SasKey } from './sas.ts';
import { ServiceBusService } from './service-bus/service.ts';
import type { TestCertificate } from './tls-cert.ts';
import { createTestCertificate, trustInProcess } from './tls-cert.ts';
import type { AzureDoubleTopology, NormalizedTopology } from './topology.ts';
import { normalizeTopology } from './topology.ts';

export interface AzureDoubleOptions {
  /** Trust the double's certificate in this process (azure-iothub and TLS strings need it). Default true. */
  trustCertificate?: boolean;
  /** Protocol trace of attaches, CBS and management: `true` prints to stderr, or pass a function. */
  trace?: boolean | ((line: string) => void);
}

export interface AzureDouble {
  topology: NormalizedTopology;
  /** The self-signed certificate; give `certPath` to child processes as NODE_EXTRA_CA_CERTS. */
  certificate: Pick<TestCertificate, 'certPem' | 'certPath'>;
  eventHubs: {
    ports: { plain: number; tls: number };
    /** With a hub name the string carries `EntityPath`. Plain TCP unless `{ tls: true }`. */
    connectionString(hub?: string, opts?: Omit<NamespaceStringOptions, 'entityPath'>): string;
  };
  serviceBus: {
    ports: { plain: number; tls: number };
    connectionString(opts?: NamespaceStringOptions): string;
  };
  /** Present when the topology has an IoT Hub. */
  iotHub: {
    name: string;
    port: number;
    /** `HostName=localhost:<port>;SharedAccessKeyName=...;SharedAccessKey=...` for azure-iothub. */
    connectionString(keyName?: string): string;
    /** The built-in Event Hub-compatible endpoint (what the portal shows), plain TCP unless `{ tls: true }`. */
    eventHubCompatibleConnectionString(opts?: Omit<NamespaceStringOptions, 'entityPath'>): string;
  } | undefined;
  hooks: AzureDoubleHooks;
  /** Closes every connection and listener and removes the certificate. */
  stop(): Promise<void>;
}

function tracer(trace: AzureDoubleOptions['trace']): (line: string) => void {
  if (typeof trace === 'function') return trace;
  if (trace === true) return (line) => process.stderr.write(`[azure-double] ${line}\n`);
  return () => undefined;
}

export async function startAzureDouble(topology?: AzureDoubleTopology, options: AzureDoubleOptions = {}): Promise<AzureDouble> {
  const normalized = normalizeTopology(topology);
  const trace = tracer(options.trace);
  const cert = await createTestCertificate();
  const untrust = options.trustCertificate === false ? () => undefined : trustInProcess(cert.certPem);
  const tls = { key: cert.keyPem, cert: cert.certPem };
  const namespaces: AmqpNamespace[] = [];
  let sbService: ServiceBusService | undefined;
  let iotService: IotHubService | undefined;

  const stop = async (): Promise<void> => {
    sbService?.stop();
    iotService?.stop();
    await Promise.all(namespaces.map((n) => n.close()));
    untrust();
    await cert.remove();
  };

  try {
    const ehNs: AmqpNamespace = new AmqpNamespace({ label: 'eventhubs', plain: true, tls, trace, keysFor: (e: string): SasKey[] => ehService.keysFor(e) });
    namespaces.push(ehNs);
    const ehService: EventHubsService = new EventHubsService(normalized.eventHubs.hubs, normalized.eventHubs.keys, ehNs, () => `${DOUBLE_HOST}:${ehNs.ports.plain ?? 0}`);
    ehNs.setService(ehService);
    await ehNs.listen();
    const ehPorts = { plain: ehNs.ports.plain ?? 0, tls: ehNs.ports.tls ?? 0 };

    const sbNs = new AmqpNamespace({ label: 'servicebus', plain: true, tls, trace, keysFor: () => normalized.serviceBus.keys });
    namespaces.push(sbNs);
    sbService = new ServiceBusService(normalized.serviceBus, sbNs, () => `${DOUBLE_HOST}:${sbNs.ports.plain ?? 0}`);
    sbNs.setService(sbService);
    await sbNs.listen();
    const sbPorts = { plain: sbNs.ports.plain ?? 0, tls: sbNs.ports.tls ?? 0 };

    let iot: { service: IotHubService; namespace: AmqpNamespace } | undefined;
    let iotApi: AzureDouble['iotHub'];
    const spec = normalized.iotHub;
    if (spec !== undefined) {
      const service = new IotHubService(spec, ehService, () => ({ host: DOUBLE_HOST, port: ehPorts.tls }));
      iotService = service;
      const http = registryHttpHandler({ registry: service.registry, twins: service.twins, keysFor: () => spec.keys, trace });
      const iotNs = new AmqpNamespace({ label: 'iothub', plain: false, tls, trace, saslPlainSas: true, http, keysFor: () => spec.keys });
      namespaces.push(iotNs);
      iotNs.setService(service);
      await iotNs.listen();
      const port = iotNs.ports.tls ?? 0;
      iot = { service, namespace: iotNs };
      iotApi = {
        name: spec.name,
        port,
        connectionString: (keyName) => iotHubConnectionString(port, spec.keys, keyName),
        eventHubCompatibleConnectionString: (opts = {}) => namespaceConnectionString(ehPorts, spec.keys, { ...opts, entityPath: spec.name }),
      };
    }

    return {
      topology: normalized,
      certificate: { certPem: cert.certPem, certPath: cert.certPath },
      eventHubs: {
        ports: ehPorts,
        connectionString: (hub, opts = {}) => namespaceConnectionString(ehPorts, normalized.eventHubs.keys, hub === undefined ? opts : { ...opts, entityPath: hub }),
      },
      serviceBus: {
        ports: sbPorts,
        connectionString: (opts = {}) => namespaceConnectionString(sbPorts, normalized.serviceBus.keys, opts),
      },
      iotHub: iotApi,
      hooks: createHooks({ eventHubs: { service: ehService, namespace: ehNs }, serviceBus: { service: sbService, namespace: sbNs }, iotHub: iot }),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

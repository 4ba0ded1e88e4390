/**
 * Runs the Azure double as a process:
 *   node test/peers/azure/cli.ts [--topology <file.json|file.yaml>] [--trace]
 * Prints one JSON line with the ports, connection strings and certificate path, then serves
 * until SIGINT or SIGTERM. Clients in other processes trust the TLS listeners with
 * NODE_EXTRA_CA_CERTS=<certPath>.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { CloudbridgeError } from '../../../src/core/errors.ts';
import { startAzureDouble } from './server.ts';
import type { AzureDouble } from './server.ts';
import type { AzureDoubleTopology } from './topology.ts';

async function loadTopology(path: string | undefined): Promise<AzureDoubleTopology | undefined> {
  if (path === undefined) return undefined;
  const text = await readFile(path, 'utf8');
  try {
    return (/\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text)) as AzureDoubleTopology;
  } catch (err) {
    throw new CloudbridgeError('CONFIG_INVALID', `Azure double: cannot parse topology file ${path}`, { field: 'topology' }, { cause: err });
  }
}

export function describe(double: AzureDouble): Record<string, unknown> {
  const hubs = double.topology.eventHubs.hubs.map((h) => h.name);
  return {
    certPath: double.certificate.certPath,
    eventHubs: {
      ports: double.eventHubs.ports,
      connectionString: double.eventHubs.connectionString(),
      hubs: Object.fromEntries(hubs.map((h) => [h, double.eventHubs.connectionString(h)])),
      hubsTls: Object.fromEntries(hubs.map((h) => [h, double.eventHubs.connectionString(h, { tls: true })])),
    },
    serviceBus: {
      ports: double.serviceBus.ports,
      connectionString: double.serviceBus.connectionString(),
      tlsConnectionString: double.serviceBus.connectionString({ tls: true }),
    },
    iotHub: double.iotHub === undefined ? null : {
      name: double.iotHub.name,
      port: double.iotHub.port,
      connectionString: double.iotHub.connectionString(),
      eventHubCompatibleConnectionString: double.iotHub.eventHubCompatibleConnectionString(),
    },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { topology: { type: 'string' }, trace: { type: 'boolean', default: false } } });
  const double = await startAzureDouble(await loadTopology(values.topology), { trace: values.trace, trustCertificate: false });
  process.stdout.write(`${JSON.stringify(describe(double))}\n`);
  let stopping = false;
  const shutdown = (): void => {
    if (stopping) return;
    stopping = true;
    double.stop().then(() => process.exit(0), (err: unknown) => {
      process.stderr.write(`azure double: stop failed: ${String(err)}\n`);
      process.exit(1);
    });
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

if (import.meta.main) {
  main().catch((err: unknown) => {
    process.stderr.write(`azure double: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}

/**
 * The Azure double as a process (`cli.ts`): it prints its connection strings as one JSON line,
 * serves the SDKs from another process (TLS trusted through NODE_EXTRA_CA_CERTS), reads a
 * topology file, and stops cleanly on SIGTERM, removing its certificate.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { EventHubProducerClient } from '@azure/event-hubs';
import { ServiceBusClient } from '@azure/service-bus';

const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));

interface Described {
  certPath: string;
  eventHubs: { hubs: Record<string, string>; hubsTls: Record<string, string> };
  serviceBus: { connectionString: string };
  iotHub: { connectionString: string; port: number } | null;
}

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

/** Runs a CommonJS snippet in a fresh Node process that trusts the double's certificate. */
function runClient(script: string, certPath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['-e', script], { cwd: REPO, env: { ...process.env, NODE_EXTRA_CA_CERTS: certPath }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    p.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    p.once('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`client exited ${String(code)}: ${err}`))));
  });
}

let dir: string;
let child: ChildProcess;
let info: Described;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'azure-double-cli-'));
  const topology = join(dir, 'topology.yaml');
  await writeFile(topology, [
    'eventHubs:', '  hubs:', '    - name: telemetry', '      partitions: 2',
    'serviceBus:', '  queues:', '    - name: jobs',
    'iotHub:', '  name: plant', '  devices: [press-1]', '',
  ].join('\n'));
  child = spawn(process.execPath, [CLI, '--topology', topology], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`cli exited with ${String(code)}`)));
    createInterface({ input: child.stdout ?? process.stdin }).once('line', resolve);
  });
  info = JSON.parse(line) as Described;
});

after(async () => {
  if (child.exitCode === null) child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

describe('Azure double CLI', () => {
  it('serves the topology file and prints usable connection strings', async () => {
    assert.deepEqual(Object.keys(info.eventHubs.hubs), ['telemetry', 'plant']);
    const producer = new EventHubProducerClient(info.eventHubs.hubs['telemetry'] ?? '');
    assert.deepEqual(await producer.getPartitionIds(), ['0', '1']);
    await producer.close();
    const sb = new ServiceBusClient(info.serviceBus.connectionString);
    await sb.createSender('jobs').sendMessages({ body: 'from another process' });
    const [m] = await sb.createReceiver('jobs', { receiveMode: 'receiveAndDelete' }).receiveMessages(1, { maxWaitTimeInMs: 5000 });
    assert.equal(m?.body, 'from another process');
    await sb.close();
  });

  it('serves TLS to processes that trust the certificate through NODE_EXTRA_CA_CERTS', async () => {
    const eh = await runClient([
      "const { EventHubProducerClient } = require('@azure/event-hubs');",
      `const p = new EventHubProducerClient(${JSON.stringify(info.eventHubs.hubsTls['telemetry'])});`,
      'p.getPartitionIds().then(async (ids) => { console.log(JSON.stringify(ids)); await p.close(); });',
    ].join('\n'), info.certPath);
    assert.equal(eh, '["0","1"]');
    const iot = await runClient([
      "const { Client } = require('azure-iothub');",
      "const { Message } = require('azure-iothub/dist/common-core/message');",
      `const c = Client.fromConnectionString(${JSON.stringify(info.iotHub?.connectionString)});`,
      "c.open().then(() => c.send('press-1', new Message('stop'))).then(async () => { console.log('sent'); await c.close(); });",
    ].join('\n'), info.certPath);
    assert.equal(iot, 'sent');
  });

  it('stops on SIGTERM and removes its certificate', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.equal(existsSync(info.certPath), false);
  });
});

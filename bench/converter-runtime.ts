/**
 * Converter runtime cost per message: a ThingsBoard-style decoder that parses a ~200-byte JSON
 * payload and returns 5 fields, through the whole runner (sandbox call in a sandbox host process,
 * output validation). Two figures per case: wall time per message, and the CPU time Cloudbridge's
 * own process spends per message (the main thread's share; the sandbox process runs beside it).
 *   node bench/converter-runtime.ts [isolated-vm|quickjs ...]
 */
import { createUplinkRunner } from '../src/converters/index.ts';
import type { SandboxKind, UplinkInput } from '../src/converters/index.ts';

const SCRIPT = `var d = decodeToJson(payload);
return { deviceName: d.deviceName, deviceType: d.deviceType,
  attributes: { model: d.model, serialNumber: d.serialNumber },
  telemetry: { temperature: d.temperature, humidity: d.humidity } };`;

function inputs(n: number): UplinkInput[] {
  const enc = new TextEncoder();
  return Array.from({ length: n }, (_, i) => ({
    payload: enc.encode(JSON.stringify({
      deviceName: `Thermometer-${i}`, deviceType: 'thermostat', serialNumber: `SN-12345-${i}`, model: 'T1000 rev B',
      temperature: 25.5 + (i % 10), humidity: 60 + (i % 7), firmware: '1.2.3-build.4567', location: 'Building 7, floor 3', battery: 97,
    })),
    metadata: { integrationName: 'Bench', topic: `devices/${i}` },
    receivedAt: Date.now(),
  }));
}

interface Cost {
  wallUs: number;
  mainCpuUs: number;
}

async function measure(sandbox: SandboxKind, batch: number, rounds: number): Promise<Cost> {
  const runner = await createUplinkRunner({ id: 'b', name: 'bench', type: 'uplink', language: 'javascript', script: SCRIPT, createdAt: 0, updatedAt: 0 }, { sandbox });
  try {
    const data = inputs(batch);
    for (let i = 0; i < 5; i++) await runner.convert(data);
    const cpu = process.cpuUsage();
    const start = performance.now();
    for (let i = 0; i < rounds; i++) await runner.convert(data);
    const wallUs = ((performance.now() - start) * 1000) / (rounds * batch);
    const used = process.cpuUsage(cpu);
    return { wallUs, mainCpuUs: (used.user + used.system) / (rounds * batch) };
  } finally {
    runner.dispose();
  }
}

const kinds = (process.argv.slice(2) as SandboxKind[]).filter((k) => k === 'isolated-vm' || k === 'quickjs');
for (const sandbox of kinds.length > 0 ? kinds : (['isolated-vm', 'quickjs'] as const)) {
  const payloadBytes = inputs(1)[0]?.payload.byteLength ?? 0;
  const batched = await measure(sandbox, 1000, sandbox === 'quickjs' ? 10 : 200);
  const single = await measure(sandbox, 1, 2000);
  const show = (c: Cost): string => `${c.wallUs.toFixed(2)} us/msg (Cloudbridge process CPU ${c.mainCpuUs.toFixed(2)} us/msg)`;
  console.log(`${sandbox}: ${payloadBytes}-byte JSON decode, batch 1000: ${show(batched)}; batch 1: ${show(single)}`);
}

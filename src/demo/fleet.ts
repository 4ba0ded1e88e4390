/**
 * Simulated devices for the demo: each publishes JSON telemetry (QoS 1) every interval and
 * answers commands published to its command topic by reporting the new setting.
 */
import mqtt, { type MqttClient } from 'mqtt';

export interface FleetOptions {
  port: number;
  devices?: number;
  intervalMs?: number;
}

export interface Fleet {
  names: string[];
  stop(): Promise<void>;
}

export async function startFleet(opts: FleetOptions): Promise<Fleet> {
  const count = opts.devices ?? 5;
  const names = Array.from({ length: count }, (_, i) => `demo-sensor-${String(i + 1).padStart(2, '0')}`);
  const client: MqttClient = await mqtt.connectAsync(`mqtt://127.0.0.1:${opts.port}`, { clientId: 'cloudbridge-demo-fleet', reconnectPeriod: 1000 });
  const state = new Map(names.map((n, i) => [n, { temperature: 20 + i, humidity: 40 + i * 2, battery: 100 - i, reportEverySeconds: 1 }]));
  await client.subscribeAsync('demo/devices/+/commands', { qos: 1 });
  client.on('message', (topic, payload) => {
    const name = topic.split('/')[2];
    const s = name ? state.get(name) : undefined;
    if (!s) return;
    try {
      const cmd = JSON.parse(payload.toString()) as { reportEverySeconds?: number };
      if (typeof cmd.reportEverySeconds === 'number') s.reportEverySeconds = cmd.reportEverySeconds;
    } catch {
      return;
    }
  });
  let tick = 0;
  const timer = setInterval(() => {
    tick++;
    for (const name of names) {
      const s = state.get(name);
      if (!s || tick % Math.max(1, s.reportEverySeconds) !== 0) continue;
      s.temperature = Math.round((s.temperature + (Math.random() - 0.5)) * 10) / 10;
      s.humidity = Math.round(Math.min(100, Math.max(0, s.humidity + (Math.random() - 0.5) * 2)) * 10) / 10;
      s.battery = Math.max(0, Math.round((s.battery - 0.01) * 100) / 100);
      const payload = JSON.stringify({ serial: name.toUpperCase(), model: 'TH-100', temperature: s.temperature, humidity: s.humidity, battery: s.battery, reportEverySeconds: s.reportEverySeconds });
      client.publish(`demo/devices/${name}/telemetry`, payload, { qos: 1 });
    }
  }, opts.intervalMs ?? 1000);
  return {
    names,
    async stop() {
      clearInterval(timer);
      await client.endAsync();
    },
  };
}

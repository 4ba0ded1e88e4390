/**
 * Child process of iot-hub-queues.test.ts: shows azure-iothub 1.16's behaviour with
 * `Message.expiryTimeUtc` as a `Date` (its AMQP encoder throws on it). A first send on a new client
 * never settles; on a client whose sender link is attached it rejects with a TypeError; epoch ms
 * works. Prints one `PROBE=<json>` line and exits at once (the stuck send holds the SDK's timers,
 * and such a client cannot be closed). Env: IOT_CS (the IoT Hub connection string), DEVICE.
 */
import { createRequire } from 'node:module';
import type { Client as IotClient } from 'azure-iothub';
import type { Message as IotMessage } from 'azure-iothub/dist/common-core/message.js';

const requireCjs = createRequire(import.meta.url);
const { Client } = requireCjs('azure-iothub') as { Client: typeof IotClient };
const { Message } = requireCjs('azure-iothub/dist/common-core/message.js') as { Message: typeof IotMessage };

const cs = process.env['IOT_CS'] ?? '';
const device = process.env['DEVICE'] ?? '';

function message(id: string, expiry: number | Date): IotMessage {
  const m = new Message(id);
  m.messageId = id;
  m.expiryTimeUtc = expiry;
  return m;
}

const inAMinute = (): number => Date.now() + 60_000;
const fresh = Client.fromConnectionString(cs);
await fresh.open();
let firstSettled = false;
void fresh.send(device, message('date-first', new Date(inAMinute()))).then(() => { firstSettled = true; }, () => { firstSettled = true; });

const other = Client.fromConnectionString(cs);
await other.send(device, message('ms-1', inAMinute()));
await other.send(device, message('ms-2', inAMinute()));
const laterError = await other.send(device, message('date-later', new Date(inAMinute()))).then(() => 'none', (e: Error) => e.name);
process.stdout.write(`PROBE=${JSON.stringify({ firstSettled, laterError })}\n`);
process.exit(0);

/** The demo's in-process MQTT broker (aedes) on a loopback port. */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Aedes } from 'aedes';

export interface DemoBroker {
  port: number;
  close(): Promise<void>;
}

export async function startDemoBroker(port = 0): Promise<DemoBroker> {
  const broker = await Aedes.createBroker();
  const server: Server = createServer(broker.handle as unknown as (socket: Socket) => void);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      broker.close(() => server.close(() => resolve()));
    }),
  };
}

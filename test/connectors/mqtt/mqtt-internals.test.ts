/**
 * Pins the mqtt.js internals the MQTT connector relies on (src/connectors/mqtt/mqtt-internals.ts).
 * If one of these fails after an mqtt.js upgrade, the PUBACK hold-back must be revisited.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, MqttClient, type IPublishPacket, type Packet } from 'mqtt';
import { holdPubacks } from '../../../src/connectors/mqtt/mqtt-internals.ts';
import { startMosquitto, type MosquittoBroker } from '../../peers/mosquitto.ts';
import { uniqueId } from './mqtt-test-client.ts';
import { waitFor } from '../../support/wait.ts';

type Internals = { _sendPacket: (packet: { cmd: string; messageId?: number }, cb?: () => void) => void };

function rawClient(broker: MosquittoBroker): MqttClient {
  const client = connect(broker.url, { clientId: uniqueId('pin'), reconnectPeriod: 0, manualConnect: true });
  client.on('error', () => undefined);
  return client;
}

async function connected(client: MqttClient): Promise<void> {
  await new Promise<void>((resolve) => { client.once('connect', () => resolve()); client.connect(); });
}

describe('mqtt.js internals the connector relies on', () => {
  let broker: MosquittoBroker;
  before(async () => { broker = await startMosquitto(); });
  after(() => broker.dispose());

  it('MqttClient has a _sendPacket method', () => {
    assert.equal(typeof (MqttClient.prototype as unknown as Internals)._sendPacket, 'function');
  });

  it('hands a QoS 1 PUBLISH to handleMessage and asks _sendPacket for its PUBACK only when the callback fires', async () => {
    const client = rawClient(broker);
    const internals = client as unknown as Internals;
    const original = internals._sendPacket;
    const sent: Array<{ cmd: string; messageId?: number }> = [];
    internals._sendPacket = function (packet, cb) {
      sent.push({ cmd: packet.cmd, ...(packet.messageId !== undefined ? { messageId: packet.messageId } : {}) });
      original.call(this, packet, cb);
    };
    const handled: Array<{ packet: IPublishPacket; callback: () => void }> = [];
    client.handleMessage = (packet, callback) => { handled.push({ packet, callback: () => callback() }); };
    await connected(client);
    try {
      await client.subscribeAsync('pin/one', { qos: 1 });
      // Not awaited: while handleMessage holds its callback, mqtt.js reads no further packet, this PUBLISH's PUBACK included.
      const published = client.publishAsync('pin/one', 'x', { qos: 1 });
      await waitFor(() => handled.length === 1, 'handleMessage');
      const [first] = handled;
      assert.equal(first?.packet.qos, 1);
      assert.equal(typeof first?.packet.messageId, 'number');
      assert.equal(sent.filter((p) => p.cmd === 'puback').length, 0, 'no PUBACK before the callback');
      first?.callback();
      assert.deepEqual(sent.filter((p) => p.cmd === 'puback'), [{ cmd: 'puback', messageId: first?.packet.messageId }]);
      await published;
    } finally {
      await client.endAsync(true);
    }
  });

  it('with holdPubacks, keeps reading packets but writes a PUBACK only through the returned writer', async () => {
    const client = rawClient(broker);
    const writePuback = holdPubacks(client);
    const written: Packet[] = [];
    client.on('packetsend', (packet) => { if (packet.cmd === 'puback') written.push(packet); });
    const handled: IPublishPacket[] = [];
    client.handleMessage = (packet, callback) => { handled.push(packet); callback(); };
    await connected(client);
    try {
      await client.subscribeAsync('pin/two', { qos: 1 });
      await client.publishAsync('pin/two', 'a', { qos: 1 });
      await client.publishAsync('pin/two', 'b', { qos: 1 });
      await waitFor(() => handled.length === 2, 'both messages handled');
      assert.equal(written.length, 0, 'the PUBACKs mqtt.js asked for were held back');
      writePuback(handled[1]?.messageId ?? -1);
      assert.deepEqual(written.map((p) => (p as { messageId?: number }).messageId), [handled[1]?.messageId]);
    } finally {
      await client.endAsync(true);
    }
  });
});

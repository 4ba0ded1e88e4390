/**
 * The one place that touches mqtt.js internals (verified against mqtt.js 5.16.0;
 * test/connectors/mqtt/mqtt-internals.test.ts pins the behaviour relied on):
 *
 * - For a QoS 1 PUBLISH, mqtt.js calls `client.handleMessage(packet, callback)` and, when the
 *   callback fires, `client._sendPacket({cmd: 'puback', messageId}, done)`; `done` lets it parse
 *   the next packet. Packets are handled one at a time, so a PUBACK cannot wait there for a batched
 *   commit without stalling the socket.
 * - `_sendPacket` is the only path by which mqtt.js writes a PUBACK.
 *
 * `holdPubacks` replaces `_sendPacket` on one client so every PUBACK mqtt.js wants to send is
 * swallowed (its `done` is called at once, so parsing continues), and returns a writer that sends
 * a PUBACK when the caller decides the message is safe.
 */
import type { MqttClient } from 'mqtt';
import { CloudbridgeError } from '../../core/errors.ts';

type SendPacket = (packet: { cmd: string; messageId?: number }, cb?: (err?: Error) => void, ...rest: unknown[]) => void;

interface ClientInternals {
  _sendPacket?: SendPacket;
}

export function holdPubacks(client: MqttClient): (messageId: number) => void {
  const internals = client as unknown as ClientInternals;
  const original = internals._sendPacket;
  if (typeof original !== 'function') {
    throw new CloudbridgeError('INTERNAL', 'the installed mqtt.js has no MqttClient._sendPacket: the MQTT connector needs mqtt.js 5.16 (see package.json)');
  }
  internals._sendPacket = function sendPacketHoldingPubacks(this: MqttClient, packet, cb, ...rest) {
    if (packet.cmd === 'puback') {
      cb?.();
      return;
    }
    original.call(this, packet, cb, ...rest);
  };
  return (messageId: number) => {
    original.call(client, { cmd: 'puback', messageId });
  };
}

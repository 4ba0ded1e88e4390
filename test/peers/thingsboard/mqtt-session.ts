/**
 * One client connection of the double, spoken with mqtt-packet (MQTT 3.1.1 and 5) as ThingsBoard's
 * MQTT transport answers it (reference §6.1): CONNECT authenticated by access token or basic
 * credentials, a refused CONNACK followed by a close; SUBACK granting min(requested, 1); keep-alive
 * (closed after 1.5 × keep-alive without a packet); a QoS 1 (or 2) publish acknowledged with PUBACK
 * only once stored; a refusal closes an MQTT 3.1.1 connection and is a PUBACK reason code on MQTT 5.
 */
import type { Socket } from 'node:net';
import mqttPacket from 'mqtt-packet';
import type { IConnectPacket, IPublishPacket, ISubscribePacket, IUnsubscribePacket, Packet } from 'mqtt-packet';
import { GATEWAY_TOPIC, REASON, RETURN_CODE_3, SUBACK_FAILURE_3, SUBSCRIBABLE_TOPICS, reasonName } from './codes.ts';
import { isGatewayTopic, planGatewayPublish, type GatewayContext, type Plan } from './gateway-topics.ts';
import type { Platform } from './platform.ts';
import type { DeviceRecord, RpcReply, SessionInfo } from './types.ts';

/** What a session needs from the double around it. */
export interface SessionHooks {
  readonly platform: Platform;
  readonly maxPayloadBytes: number;
  readonly typeCast: boolean;
  /** True while PUBACKs are held back (fault: accept but delay acks). */
  pubacksHeld(): boolean;
  /** A reason code when the next publish is to be refused by fault injection. */
  takeForcedRefusal(): number | undefined;
  onOpen(session: MqttSession): void;
  onClose(session: MqttSession): void;
  onRegistered(session: MqttSession, device: string): void;
  onRpcReply(reply: RpcReply): void;
}

let nextSessionId = 1;

export class MqttSession {
  readonly id = nextSessionId++;
  readonly registered = new Set<string>();
  private readonly subscriptions = new Map<string, number>();
  private readonly parserSettings: { protocolVersion: number } = { protocolVersion: 4 };
  private readonly parser = mqttPacket.parser(this.parserSettings);
  private readonly heldAcks: Array<{ messageId: number; reasonCode: number }> = [];
  private connect?: IConnectPacket;
  private device?: DeviceRecord;
  private keepaliveTimer?: NodeJS.Timeout;
  private nextMessageId = 1;
  private closed = false;

  private readonly socket: Socket;
  private readonly hooks: SessionHooks;

  constructor(socket: Socket, hooks: SessionHooks) {
    this.socket = socket;
    this.hooks = hooks;
    socket.setNoDelay(true);
    this.parser.on('packet', (packet: Packet) => this.onPacket(packet));
    this.parser.on('error', () => this.close());
    socket.on('data', (chunk: Buffer) => this.parser.parse(chunk));
    socket.on('error', () => this.close());
    socket.on('close', () => this.close());
  }

  get protocolVersion(): number {
    return this.parserSettings.protocolVersion;
  }

  get open(): boolean {
    return !this.closed && this.device !== undefined;
  }

  info(): SessionInfo {
    return {
      id: this.id,
      clientId: this.connect?.clientId ?? '',
      device: this.device?.name ?? '',
      gateway: this.device?.gateway === true,
      protocolVersion: this.protocolVersion,
      keepaliveSeconds: this.connect?.keepalive ?? 0,
      clean: this.connect?.clean !== false,
      registeredDevices: [...this.registered],
      subscriptions: [...this.subscriptions].map(([topic, qos]) => ({ topic, qos })),
    };
  }

  /** Publishes to the client at the QoS it subscribed the topic with (QoS 1 when it did not subscribe). */
  publish(topic: string, body: unknown): void {
    if (!this.open) return;
    const qos = (this.subscriptions.get(topic) ?? 1) as 0 | 1;
    const packet: IPublishPacket = { cmd: 'publish', topic, payload: Buffer.from(JSON.stringify(body)), qos, dup: false, retain: false };
    if (qos > 0) {
      packet.messageId = this.nextMessageId;
      this.nextMessageId = this.nextMessageId >= 0xffff ? 1 : this.nextMessageId + 1;
    }
    this.write(packet);
    this.hooks.platform.counters.publishesSent++;
  }

  /** Sends the PUBACKs held while `holdPubacks` was on, in order. */
  releaseAcks(): void {
    for (const ack of this.heldAcks.splice(0)) this.sendPuback(ack.messageId, ack.reasonCode);
  }

  /** Ends the connection (MQTT 5: with a DISCONNECT carrying `reasonCode` first, when given). */
  close(reasonCode?: number): void {
    if (this.closed) return;
    if (reasonCode !== undefined && this.protocolVersion === 5 && this.device) {
      this.write({ cmd: 'disconnect', reasonCode });
    }
    this.closed = true;
    clearTimeout(this.keepaliveTimer);
    this.socket.end(() => this.socket.destroy());
    if (this.device) this.hooks.onClose(this);
  }

  private write(packet: Packet): void {
    if (this.socket.destroyed) return;
    mqttPacket.writeToStream(packet, this.socket, { protocolVersion: this.protocolVersion });
  }

  private armKeepalive(): void {
    clearTimeout(this.keepaliveTimer);
    const seconds = this.connect?.keepalive ?? 0;
    if (seconds > 0) this.keepaliveTimer = setTimeout(() => this.close(REASON.KEEP_ALIVE_TIMEOUT), seconds * 1500);
  }

  private onPacket(packet: Packet): void {
    if (this.closed) return;
    if (packet.cmd === 'connect') {
      this.onConnect(packet);
      return;
    }
    if (!this.device) {
      this.close();
      return;
    }
    this.armKeepalive();
    switch (packet.cmd) {
      case 'publish': this.onPublish(packet); break;
      case 'subscribe': this.onSubscribe(packet); break;
      case 'unsubscribe': this.onUnsubscribe(packet); break;
      case 'pingreq': this.write({ cmd: 'pingresp' }); break;
      case 'disconnect': this.close(); break;
      default: break;
    }
  }

  private onConnect(packet: IConnectPacket): void {
    if (this.connect) {
      this.close();
      return;
    }
    this.connect = packet;
    const version = packet.protocolVersion ?? 4;
    this.parserSettings.protocolVersion = version;
    const password = packet.password === undefined ? undefined : packet.password.toString('utf8');
    const { device } = this.hooks.platform.authenticate(packet.clientId, packet.username, password);
    if (!device) {
      this.hooks.platform.counters.connectsRefused++;
      const reasonCode = this.refusalCode(packet);
      const returnCode = reasonCode === REASON.CLIENT_IDENTIFIER_NOT_VALID ? RETURN_CODE_3.IDENTIFIER_REJECTED : RETURN_CODE_3.NOT_AUTHORIZED;
      this.write({ cmd: 'connack', sessionPresent: false, ...(version === 5 ? { reasonCode } : { returnCode }) });
      this.close();
      return;
    }
    this.device = device;
    this.hooks.platform.counters.connectsAccepted++;
    this.write({ cmd: 'connack', sessionPresent: packet.clean === false, ...(version === 5 ? { reasonCode: REASON.SUCCESS } : { returnCode: RETURN_CODE_3.ACCEPTED }) });
    this.armKeepalive();
    this.hooks.onOpen(this);
  }

  /**
   * The CONNACK refusal as ThingsBoard chooses it (MqttTransportHandler.onValidateDeviceResponse):
   * 0x86 when user name, password and client id were all given or only one of user name and
   * password, else 0x85 with a client id, else 0x87; MQTT 3.1.1 gets 2 for 0x85 and 5 otherwise
   * (ReturnCodeResolver).
   */
  private refusalCode(packet: IConnectPacket): number {
    const hasUser = packet.username !== undefined;
    const hasPassword = packet.password !== undefined;
    if ((hasUser && hasPassword && packet.clientId !== undefined) || hasUser !== hasPassword) return REASON.BAD_USER_NAME_OR_PASSWORD;
    if (packet.clientId.trim() !== '') return REASON.CLIENT_IDENTIFIER_NOT_VALID;
    return REASON.NOT_AUTHORIZED;
  }

  private onSubscribe(packet: ISubscribePacket): void {
    const granted = packet.subscriptions.map(({ topic, qos }) => {
      if (!SUBSCRIBABLE_TOPICS.has(topic)) return this.protocolVersion === 5 ? REASON.TOPIC_FILTER_INVALID : SUBACK_FAILURE_3;
      const grant = Math.min(qos, 1);
      this.subscriptions.set(topic, grant);
      return grant;
    });
    this.write({ cmd: 'suback', messageId: packet.messageId, granted });
  }

  private onUnsubscribe(packet: IUnsubscribePacket): void {
    for (const topic of packet.unsubscriptions) this.subscriptions.delete(topic);
    this.write({ cmd: 'unsuback', messageId: packet.messageId, granted: packet.unsubscriptions.map(() => REASON.SUCCESS) });
  }

  private onPublish(packet: IPublishPacket): void {
    const { platform } = this.hooks;
    platform.counters.publishesReceived++;
    platform.emit({ kind: 'publish-received', sessionId: this.id, topic: packet.topic });
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    if (payload.length > this.hooks.maxPayloadBytes) {
      this.recordRefusal(packet, REASON.PACKET_TOO_LARGE, `payload of ${payload.length} bytes exceeds maxPayloadBytes ${this.hooks.maxPayloadBytes}`);
      this.close(REASON.PACKET_TOO_LARGE);
      return;
    }
    const forced = this.hooks.takeForcedRefusal();
    const plan: Plan = forced !== undefined
      ? { ok: false, reasonCode: forced, reason: 'refused by refuseNext()' }
      : this.plan(packet.topic, payload);
    if (!plan.ok) {
      this.refuse(packet, plan.reasonCode, plan.reason, plan.device, plan.rateLimited === true);
      return;
    }
    plan.commit();
    if (packet.qos > 0 && packet.messageId !== undefined) this.ack(packet.messageId, REASON.SUCCESS);
  }

  private plan(topic: string, payload: Buffer): Plan {
    if (!this.device?.gateway || !isGatewayTopic(topic)) {
      return { ok: false, reasonCode: REASON.TOPIC_NAME_INVALID, reason: `topic "${topic}" is not handled for ${this.device?.gateway ? 'a gateway' : 'a device that is not a gateway'}` };
    }
    return planGatewayPublish(this.gatewayContext(), topic, payload, Date.now());
  }

  private gatewayContext(): GatewayContext {
    return {
      platform: this.hooks.platform,
      gatewayName: this.device!.name,
      sessionId: this.id,
      typeCast: this.hooks.typeCast,
      register: (device) => {
        if (this.registered.has(device)) return;
        this.registered.add(device);
        this.hooks.platform.emit({ kind: 'registration', sessionId: this.id, device, registered: true });
        this.hooks.onRegistered(this, device);
      },
      deregister: (device) => {
        if (this.registered.delete(device)) this.hooks.platform.emit({ kind: 'registration', sessionId: this.id, device, registered: false });
      },
      reply: (topic, body) => this.publish(topic, body),
      onRpcReply: (reply) => this.hooks.onRpcReply(reply),
    };
  }

  private recordRefusal(packet: IPublishPacket, reasonCode: number, reason: string, device?: string): void {
    this.hooks.platform.recordRefusal({
      at: Date.now(), sessionId: this.id, topic: packet.topic, reasonCode, reason: `${reasonName(reasonCode)}: ${reason}`,
      protocolVersion: this.protocolVersion, ...(device === undefined ? {} : { device }),
    });
  }

  private refuse(packet: IPublishPacket, reasonCode: number, reason: string, device: string | undefined, rateLimited: boolean): void {
    this.recordRefusal(packet, reasonCode, reason, device);
    if (this.protocolVersion !== 5) {
      this.close();
      return;
    }
    if (rateLimited && device !== undefined) this.publish(GATEWAY_TOPIC.DISCONNECT, { device, reason: reasonCode });
    if (packet.qos > 0 && packet.messageId !== undefined) this.ack(packet.messageId, reasonCode);
  }

  private ack(messageId: number, reasonCode: number): void {
    if (this.hooks.pubacksHeld()) this.heldAcks.push({ messageId, reasonCode });
    else this.sendPuback(messageId, reasonCode);
  }

  private sendPuback(messageId: number, reasonCode: number): void {
    if (this.closed) return;
    this.write({ cmd: 'puback', messageId, ...(this.protocolVersion === 5 ? { reasonCode } : {}) });
    if (reasonCode === REASON.SUCCESS) this.hooks.platform.counters.pubacksSent++;
    this.hooks.platform.emit({ kind: 'puback', sessionId: this.id, messageId });
  }
}

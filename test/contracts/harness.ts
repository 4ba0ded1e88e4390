/**
 * What a connector's test file gives the connector contract suite (connector-contract.ts): how to
 * start its real peer, get a fresh source there, publish to it, and read what it still holds
 * unacknowledged. One harness per connector, like the store contract's one factory per store.
 *
 *   connectorContract({
 *     type: 'mqtt',
 *     async startPeer() {
 *       const broker = await startMosquitto({ users: { cb: SECRET } });
 *       return { source: (name) => mqttSource(broker, name), stop: () => broker.dispose() };
 *     },
 *   });
 */
import type { CheckResult, Connector } from '../../src/core/connector.ts';
import type { UplinkMessage } from '../../src/core/model.ts';
import type { TestConnectorContext } from '../support/connector-context.ts';

/** One place to read from at the peer (a topic and client id, a queue, a stream), fresh per test. */
export interface ContractSource {
  /**
   * A new connector instance on `ctx`. Every instance of one source reads the same place as the
   * same consumer (client id, queue, stream and lease owner), so a later one gets what an earlier
   * one left unacknowledged.
   */
  create(ctx: TestConnectorContext): Connector;
  /** The definition's `testConnection` with the same config. */
  testConnection(signal: AbortSignal): Promise<CheckResult>;
  /** Publishes the payloads to the source, in order (QoS 1, SendMessage, PutRecords...). */
  publish(payloads: string[]): Promise<void>;
  /**
   * With no connector of this source running: how many published messages the peer would hand out
   * again (not acknowledged, not checkpointed). May consume them (the test ends there).
   */
  unacknowledged(): Promise<number>;
  /** Secret values of the config: they must appear in no status, log line, state report, warning or check result. */
  secrets: string[];
  dispose(): Promise<void>;
}

export interface ContractPeer {
  /** A fresh source named after the test (`name` is short, lower-case and unique per suite). */
  source(name: string): Promise<ContractSource>;
  stop(): Promise<void>;
}

/** For partitioned sources: how to read a message's place in its partition. */
export interface CheckpointHarness {
  partitionOf(message: UplinkMessage): string;
  positionOf(message: UplinkMessage): string;
  /** Orders two positions of one partition: negative when `a` comes first. */
  compare(a: string, b: string): number;
  /** Checkpoints the source wrote outside commits (e.g. at a shard's end), in order; none when omitted. */
  writtenOutsideCommits?(source: ContractSource): Promise<Array<{ partition: string; position: string }>>;
}

export interface ConnectorHarness {
  /** The connector type, for the suite's name. */
  type: string;
  startPeer(): Promise<ContractPeer>;
  /** How much longer than `drainMs` a stop may take (disconnecting, giving messages back). Default 3000. */
  stopAllowanceMs?: number;
  /** How long a message rejected with a short retry delay may take to come back. Default 15000. */
  redeliveryTimeoutMs?: number;
  /** Partitioned sources: runs "never checkpoints past a rejection". */
  checkpoints?: CheckpointHarness;
}

/** The ForwarderContext a forwarder gets: its outbox bound to its name, its devices, downlinks, replies, warnings. */
import type { Clock } from '../core/clock.ts';
import type { ForwarderContext } from '../core/forwarder.ts';
import type { Logger } from '../core/logger.ts';
import type { WarningCode } from '../core/warnings.ts';
import type { OutboxRow, OutboxValue, Store } from '../store/types.ts';
import type { ForwarderEntry } from './forwarder-config.ts';
import type { DownlinkService } from './downlink-service.ts';

const PAGE = 1000;

export function forwarderContext(opts: {
  entry: ForwarderEntry;
  store: Store;
  downlinks: () => DownlinkService;
  log: Logger;
  clock: Clock;
  warn(code: WarningCode, message: string, details?: Record<string, unknown>): void;
}): ForwarderContext<OutboxRow> {
  const { entry, store } = opts;
  const name = entry.name;
  return {
    name,
    outbox: {
      read: (afterSeq, limit) => store.readOutbox(name, afterSeq, limit),
      delete: (seqs) => store.deleteOutbox(name, seqs),
      reject: (seq, code, error) => store.rejectOutbox(name, seq, code, error),
      stats: () => store.outboxStats(name),
      expire: (o) => store.expireOutbox(name, o),
    },
    async devices() {
      const integrations = await store.listIntegrations();
      const ids = new Set(integrations.filter((i) => entry.integrations === 'all' || entry.integrations.includes(i.name)).map((i) => i.id));
      const out: Array<{ name: string; type: string }> = [];
      for (let offset = 0; ; offset += PAGE) {
        const { items } = await store.listEntities({ kind: 'DEVICE', limit: PAGE, offset });
        for (const d of items) if (d.createdByIntegrationId !== null && ids.has(d.createdByIntegrationId)) out.push({ name: d.name, type: d.type });
        if (items.length < PAGE) return out;
      }
    },
    async downlink(deviceName, request) {
      await opts.downlinks().request(deviceName, { msgType: request.msgType, msg: request.msg, metadata: request.metadata });
    },
    async appendReply(deviceName, id, data) {
      const device = await store.getEntity('DEVICE', deviceName);
      await store.appendOutbox([{
        forwarder: name, integrationId: device?.createdByIntegrationId ?? '', deviceName, deviceType: device?.type ?? 'default',
        entry: { kind: 'rpc-reply', id, data: data as OutboxValue },
      }]);
    },
    warn: (code, message, details) => opts.warn(code, message, { forwarder: name, ...details }),
    log: opts.log,
    clock: opts.clock,
  };
}

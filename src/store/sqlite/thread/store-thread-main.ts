/**
 * The worker thread that owns the SQLite connection (see thread-store.ts): it opens the store,
 * runs each call to completion in arrival order and answers it. Calls are never interleaved.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { toWireError } from '../../../core/wire-error.ts';
import { SqliteStore } from '../sqlite-store.ts';
import type { ThreadCall, ThreadReply, ThreadStoreInit } from './protocol.ts';

const port = parentPort;
if (port === null) throw new Error('store-thread-main.ts runs as a worker thread');
const { options } = workerData as ThreadStoreInit;
/** Opening can fail (a bad path, a read-only directory): every call then answers that error. */
let store: SqliteStore | null = null;
let openError: unknown = null;
try {
  store = new SqliteStore(options);
} catch (err) {
  openError = err;
}

type Callable = (...args: unknown[]) => unknown;

async function run(call: ThreadCall): Promise<unknown> {
  if (store === null) {
    if (call.method === 'close') return undefined;
    throw openError;
  }
  if (call.method === 'truncateWal') return store.files.truncateWal();
  const method = (store as unknown as Record<string, Callable>)[call.method];
  if (typeof method !== 'function') throw new Error(`unknown store method ${call.method}`);
  return method.apply(store, call.args);
}

let queue: Promise<void> = Promise.resolve();

port.on('message', (call: ThreadCall) => {
  queue = queue.then(async () => {
    let reply: ThreadReply;
    try {
      reply = { id: call.id, ok: true, value: await run(call) };
    } catch (err) {
      reply = { id: call.id, ok: false, error: toWireError(err) };
    }
    port.postMessage(reply);
    if (call.method === 'close') port.close();
  });
});

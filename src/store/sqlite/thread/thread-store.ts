/**
 * The SQLite store with its connection in a worker thread: every Store method is forwarded to
 * store-thread-main.ts, which runs the role modules of SqliteStore there. The commit of a batch (its
 * statements and the fsync of synchronous=FULL) then no longer holds the main thread, where the
 * connectors read their sources and the pipeline converts the next batch meanwhile (ADR 012).
 *
 * Calls are answered in the order they were made, exactly once. If the worker dies (it should
 * not: node:sqlite errors are answered as errors), what was pending fails with STORE_UNAVAILABLE
 * and the next call starts a new worker, which reopens the database.
 */
import { dirname, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { CloudbridgeError } from '../../../core/errors.ts';
import { fromWireError } from '../../../core/wire-error.ts';
import type { Store, StoreFiles } from '../../types.ts';
import { walFileOf } from '../database.ts';
import type { SqliteStoreOptions } from '../sqlite-store.ts';
import { isThreadMethod, type ThreadCall, type ThreadMethod, type ThreadReply, type ThreadStoreInit } from './protocol.ts';

const WORKER = new URL(`./store-thread-main${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

class StoreThread {
  readonly #options: SqliteStoreOptions;
  #worker: Worker | null = null;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;

  constructor(options: SqliteStoreOptions) {
    this.#options = options;
  }

  call(method: ThreadMethod | 'close', args: unknown[]): Promise<unknown> {
    const worker = this.#worker ?? this.#start();
    const id = this.#nextId++;
    const msg: ThreadCall = { id, method, args };
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      // A pending call keeps the process alive (a CLI awaiting its answer); an idle worker does not.
      if (this.#pending.size === 1) worker.ref();
      worker.postMessage(msg);
    });
  }

  get started(): boolean {
    return this.#worker !== null;
  }

  async terminate(): Promise<void> {
    const worker = this.#worker;
    this.#worker = null;
    if (worker) await worker.terminate();
  }

  #start(): Worker {
    const init: ThreadStoreInit = { options: this.#options };
    const worker = new Worker(WORKER, { workerData: init });
    worker.unref();
    worker.on('message', (reply: ThreadReply) => {
      const p = this.#pending.get(reply.id);
      if (!p) return;
      this.#pending.delete(reply.id);
      if (this.#pending.size === 0) worker.unref();
      if (reply.ok) p.resolve(reply.value);
      else p.reject(fromWireError(reply.error));
    });
    const fail = (why: string): void => {
      if (this.#worker === worker) this.#worker = null;
      const pending = [...this.#pending.values()];
      this.#pending.clear();
      const err = new CloudbridgeError('STORE_UNAVAILABLE', `the SQLite store thread ${why}; the call was not completed`);
      for (const p of pending) p.reject(err);
    };
    worker.on('error', (err) => fail(`failed: ${err.message}`));
    worker.on('exit', (code) => fail(`exited with code ${code}`));
    this.#worker = worker;
    return worker;
  }
}

/** Builds the Store whose methods run in the worker thread. */
export function sqliteThreadStore(options: SqliteStoreOptions): Store {
  const thread = new StoreThread(options);
  const path = options.path;
  const files: StoreFiles = {
    directory: path === ':memory:' ? process.cwd() : dirname(resolve(path)),
    wal: () => walFileOf(path),
    truncateWal: () => thread.call('truncateWal', []) as ReturnType<StoreFiles['truncateWal']>,
  };
  let closed: Promise<void> | null = null;
  const own = {
    kind: 'sqlite' as const,
    files,
    close(): Promise<void> {
      closed ??= (async () => {
        if (!thread.started) return;
        try {
          await thread.call('close', []);
        } finally {
          await thread.terminate();
        }
      })();
      return closed;
    },
  };
  return new Proxy(own, {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && isThreadMethod(prop)) {
        return (...args: unknown[]) => {
          if (closed) {
            if (prop === 'ping') return Promise.resolve(false);
            return Promise.reject(new CloudbridgeError('STORE_UNAVAILABLE', `the SQLite store at ${path} is closed`));
          }
          return thread.call(prop, args);
        };
      }
      return Reflect.get(target, prop, receiver);
    },
  }) as unknown as Store;
}

/** The store of `--config` (only its store section is read) for the commands that work on it directly. */
import { loadStoreSection, storeOptionsOf, type StoreSection } from '../app/store-section.ts';
import { openStore } from '../store/index.ts';
import type { Store } from '../store/types.ts';

export interface CliStore {
  store: Store;
  section: StoreSection;
}

/** Opens the store of `configFile` (default: SQLite at ./data/cloudbridge.db), runs `fn`, closes it. */
export async function withStore<T>(configFile: string | undefined, fn: (s: CliStore) => Promise<T>): Promise<T> {
  const section = loadStoreSection(configFile);
  const store = await openStore(storeOptionsOf(section));
  try {
    return await fn({ store, section });
  } finally {
    await store.close();
  }
}

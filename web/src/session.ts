/**
 * The API token for this browser tab's session: sessionStorage only (gone when the tab closes,
 * never in localStorage, cookies or URLs). The classic console reads the same key.
 */
const KEY = 'cloudbridge-token';

export type Role = 'admin' | 'viewer';

export const session = {
  token: (): string | null => sessionStorage.getItem(KEY),
  set: (token: string): void => sessionStorage.setItem(KEY, token),
  clear: (): void => sessionStorage.removeItem(KEY),
};

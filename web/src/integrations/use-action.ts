/** A row action's state: busy while it runs, its error (shown by the row), then `after` (e.g. reload). */
import { useState } from 'react';
import { errorText } from '../api.ts';

export function useAction(after?: () => Promise<void>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (action: () => Promise<unknown>): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await action();
      await after?.();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}

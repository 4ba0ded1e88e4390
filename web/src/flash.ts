/** A message for the next page shown (e.g. "Saved" with the save's warnings, after navigating to the list). */
export interface Flash {
  text: string;
  warnings: string[];
}

let pending: Flash | null = null;

export function setFlash(flash: Flash): void {
  pending = flash;
}

/** The pending message, once. */
export function takeFlash(): Flash | null {
  const f = pending;
  pending = null;
  return f;
}

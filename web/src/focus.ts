/**
 * Where keyboard focus goes when what had it disappears (a page change, a confirmation answered,
 * a deleted row): to a named element, else the page's heading, never lost to <body>.
 */

/**
 * The current page's heading (`<main>`'s h2), focusable by script only. While the next page's code
 * loads, React keeps the previous page hidden (display: none) beside "Loading…": its heading is not
 * the current one.
 */
export function pageHeading(): HTMLElement | null {
  return [...document.querySelectorAll<HTMLElement>('#main h2')].find((h) => h.checkVisibility()) ?? null;
}

/** Focuses the element (made focusable by script if it is not), scrolling it into view. */
export function focusOn(el: HTMLElement | null): boolean {
  if (!el || (el instanceof HTMLButtonElement && el.disabled)) return false;
  if (!el.hasAttribute('tabindex') && el.tabIndex < 0) el.tabIndex = -1;
  el.focus();
  return document.activeElement === el;
}

/** Focuses the first of the selectors found (enabled), else the page heading. */
export function focusFirst(...selectors: string[]): void {
  for (const s of selectors) if (focusOn(document.querySelector<HTMLElement>(s))) return;
  focusOn(pageHeading());
}

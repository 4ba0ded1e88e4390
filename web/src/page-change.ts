/**
 * What a page change does for keyboard and screen-reader users: the tab's title names the page
 * (from its heading, kept up to date as it loads: "Integration “plant” · Cloudbridge"); on a route
 * change focus moves to the new page's heading, so it is announced and Tab goes on from there; after
 * logging in (the log-in form is gone) focus is on "Skip to content", the first thing on the page.
 */
import { useEffect, useRef } from 'react';
import { focusOn, pageHeading } from './focus.ts';

const APP = 'Cloudbridge';

export function usePageChange(routeKey: string, loggedIn: boolean): void {
  const shown = useRef<string | null>(null);

  useEffect(() => {
    if (!loggedIn) {
      document.title = `Log in · ${APP}`;
      shown.current = null;
      return undefined;
    }
    const heading = pageHeading();
    const name = (): string => heading?.textContent?.trim() ?? '';
    const setTitle = (): void => { document.title = name() ? `${name()} · ${APP}` : APP; };
    setTitle();
    if (shown.current === null) focusOn(document.querySelector<HTMLElement>('a.skip'));
    else if (shown.current !== routeKey) focusOn(heading);
    shown.current = routeKey;
    if (!heading) return undefined;
    const watch = new MutationObserver(setTitle);
    watch.observe(heading, { childList: true, characterData: true, subtree: true });
    return () => watch.disconnect();
  }, [routeKey, loggedIn]);
}

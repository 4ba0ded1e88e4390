/**
 * What a page change does for keyboard and screen-reader users: the tab's title names the page
 * (from its heading, kept up to date as it loads: "Integration “plant” · Cloudbridge"); on a route
 * change focus moves to the new page's heading, so it is announced and Tab goes on from there; after
 * logging in (the log-in form is gone) focus is on "Skip to content", the first thing on the page.
 * A page whose code loads on demand gets both when its heading appears.
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
    const changed = shown.current !== null && shown.current !== routeKey;
    if (shown.current === null) focusOn(document.querySelector<HTMLElement>('a.skip'));
    shown.current = routeKey;
    let titleWatch: MutationObserver | null = null;
    const show = (heading: HTMLElement): void => {
      const setTitle = (): void => { document.title = heading.textContent?.trim() ? `${heading.textContent.trim()} · ${APP}` : APP; };
      setTitle();
      if (changed) focusOn(heading);
      titleWatch = new MutationObserver(setTitle);
      titleWatch.observe(heading, { childList: true, characterData: true, subtree: true });
    };
    const heading = pageHeading();
    if (heading) {
      show(heading);
      return () => titleWatch?.disconnect();
    }
    // A page whose code is still downloading (lazy-pages.ts): its heading comes when it has loaded.
    document.title = APP;
    const main = document.getElementById('main');
    const arrival = new MutationObserver(() => {
      const late = pageHeading();
      if (!late) return;
      arrival.disconnect();
      show(late);
    });
    if (main) arrival.observe(main, { childList: true, subtree: true });
    return () => {
      arrival.disconnect();
      titleWatch?.disconnect();
    };
  }, [routeKey, loggedIn]);
}

/**
 * "Skip to content": focuses <main>. It cannot be a plain "#main" link: routes live in the URL's
 * hash, so following it would open the Integrations page.
 */
import type { MouseEvent } from 'react';
import { focusOn } from './focus.ts';

export function SkipLink() {
  const skip = (e: MouseEvent): void => {
    e.preventDefault();
    focusOn(document.getElementById('main'));
  };
  return <a className="skip" href="#main" onClick={skip}>Skip to content</a>;
}

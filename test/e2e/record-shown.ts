// What the page showed in passing: a state that lasts a few hundred ms on a fast machine (an ETA
// line, a step counter) can come and go between two looks of expect's polling; a MutationObserver
// in the page sees every one.

import type { Page } from '@playwright/test';

/** From now on, records each change of what elements matching `selector` show: their text, or an image's src. */
export async function recordShown(page: Page, key: string, selector: string): Promise<void> {
  await page.evaluate(
    ({ key, selector }) => {
      const seen: string[] = [];
      (window as unknown as Record<string, string[]>)[key] = seen;
      const look = (): void => {
        document.querySelectorAll(selector).forEach((el) => {
          const shown = el instanceof HTMLImageElement ? el.src : (el.textContent ?? '').trim();
          if (seen.at(-1) !== shown) seen.push(shown);
        });
      };
      new MutationObserver(look).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
      look();
    },
    { key, selector },
  );
}

/** What recordShown(page, key, ...) has seen so far, oldest first. */
export function shownSoFar(page: Page, key: string): Promise<string[]> {
  return page.evaluate((key) => (window as unknown as Record<string, string[] | undefined>)[key] ?? [], key);
}

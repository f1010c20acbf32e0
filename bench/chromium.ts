/** The headless Chromium the renderer's figures are taken in (Debian's; Electron 45.4.1 embeds Chromium 156 too). */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.VAW_CHROMIUM ?? '/usr/bin/chromium';

/** Why Chromium cannot be used here, or '' when it can. */
export function chromiumMissing(): string {
  return existsSync(CHROMIUM) ? '' : `${CHROMIUM} not installed (Debian package chromium)`;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // Each new page of this headless Chromium 156 otherwise starts the address bar's WebUI popup in renderers of
      // its own (about 100 modules, ~0.3 s of CPU per page here, on the cores the page shares). The app's window
      // (Electron) has no browser UI, and a user's browser pays for its popup once, not per page. Both features
      // are needed: with either one left on, the extra renderers stay (counted with ps, 3 pages: 7 vs 4).
      '--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup',
    ],
  });
}

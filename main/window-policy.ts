/**
 * What the desktop window may do, as plain data and predicates (no electron import, so tests run them in
 * Node). main/window.ts and main/app.ts apply them; docs/security.md maps each Electron checklist item here.
 */
import { CITED_HOSTS } from '../src/engine';

/** The renderer is served from this privileged custom scheme, never from file:// (checklist item 18). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'wizard';
export const START_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/**
 * Electron's secure defaults, stated explicitly so that a change of default or a careless edit shows up
 * in review and in the test that pins them (checklist items 2, 3, 4, 6, 8, 9, 10).
 */
export const SECURE_WEB_PREFERENCES = {
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  contextIsolation: true,
  sandbox: true,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  webviewTag: false,
  navigateOnDragDrop: false,
  spellcheck: false,
} as const;

/** The layout is responsive down to 800×600 (asserted in e2e/responsive.test.ts), so the window may be that small. */
export const WINDOW_SIZE = { width: 1280, height: 860, minWidth: 800, minHeight: 600 } as const;

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** True for a page of the app itself: app://wizard/... */
export function isAppUrl(url: string): boolean {
  const u = parse(url);
  return u !== null && u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
}

/**
 * Navigation inside the window is never needed (the wizard is one page); only a reload of the app's own page
 * passes (checklist item 13).
 */
export function mayNavigate(url: string): boolean {
  return isAppUrl(url);
}

/**
 * A link the user clicked (a finding's source) opens in the system browser only when it is https and points
 * at a host the engine cites; anything else is dropped (checklist items 14 and 15).
 */
export function externalLinkToOpen(url: string): string | null {
  const u = parse(url);
  if (u === null || u.protocol !== 'https:' || u.username !== '' || u.password !== '') return null;
  return CITED_HOSTS.has(u.hostname) ? u.toString() : null;
}

/**
 * IPC is answered only for frames showing the app's own page in a window the app created (checklist item
 * 17): a navigated-away or injected frame gets nothing.
 */
export function isTrustedIpcSender(
  sender: { readonly id: number; readonly frameUrl: string | undefined },
  trustedWebContents: ReadonlySet<number>,
): boolean {
  return trustedWebContents.has(sender.id) && sender.frameUrl !== undefined && isAppUrl(sender.frameUrl);
}

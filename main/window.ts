/**
 * The one app window: secure web preferences from window-policy.ts, the app page from app://, shown when
 * ready so the user never sees a blank frame.
 */
import { BrowserWindow } from 'electron';
import { SECURE_WEB_PREFERENCES, START_URL, WINDOW_SIZE } from './window-policy';

export function createMainWindow(options: { readonly preload: string; readonly icon: string; readonly title: string }): BrowserWindow {
  const win = new BrowserWindow({
    ...WINDOW_SIZE,
    title: options.title,
    icon: options.icon,
    show: false,
    autoHideMenuBar: true,
    webPreferences: { ...SECURE_WEB_PREFERENCES, preload: options.preload },
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(START_URL);
  return win;
}

/** A second `npm start` or desktop launch brings the open window forward instead of opening another. */
export function focusMainWindow(): void {
  const [win] = BrowserWindow.getAllWindows();
  if (!win) return;
  if (win.isMinimized()) win.restore();
  win.focus();
}

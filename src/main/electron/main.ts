import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, ipcMain, session, shell, type IpcMainInvokeEvent } from 'electron';
import { StudioHost } from '../host/studio-host';
import { AppConfigStore } from '../services/library/app-config';
import { handleStudioProtocol, registerStudioScheme, STUDIO_SCHEME } from './studio-protocol';
import { utilityProcessLauncher } from './utility-launcher';

/**
 * Electron front door: one window on studio://app, the services host in this process, job workers as utility
 * processes. Business logic lives in the host; this file only wires Electron to it.
 */
const here = (rel: string) => fileURLToPath(new URL(rel, import.meta.url));
const RENDERER_DIR = here('../renderer');
const PRELOAD = here('../preload/index.cjs');
const APP_ORIGIN = `${STUDIO_SCHEME}://app`;

registerStudioScheme();
if (!app.requestSingleInstanceLock()) app.quit();

let host: StudioHost | null = null;
let mainWindow: BrowserWindow | null = null;

function isTrustedSender(event: IpcMainInvokeEvent): boolean {
  const frameUrl = event.senderFrame?.url;
  return !!frameUrl && new URL(frameUrl).origin === APP_ORIGIN;
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    title: 'Avatar Studio',
    backgroundColor: '#16171a',
    show: false,
    webPreferences: { preload: PRELOAD, contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, spellcheck: false },
  });
  win.once('ready-to-show', () => win.show());
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (e, url) => {
    if (new URL(url).origin !== APP_ORIGIN) e.preventDefault();
  });
  void win.loadURL(`${APP_ORIGIN}/index.html`);
  return win;
}

app.on('second-instance', () => {
  if (!mainWindow) return;
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.focus();
});

app.whenReady().then(() => {
  const appConfig = new AppConfigStore();
  host = StudioHost.open({
    libraryDir: appConfig.resolveLibraryDir(app.commandLine.getSwitchValue('library') || undefined),
    frontDoor: 'electron',
    appConfig,
    launcher: utilityProcessLauncher(here('./job-worker.js')),
    versions: { electron: process.versions.electron ?? '', chrome: process.versions.chrome ?? '' },
  });
  host.on('event', (event, payload) => {
    for (const w of BrowserWindow.getAllWindows()) w.webContents.send('studio:event', event, payload);
  });
  handleStudioProtocol(RENDERER_DIR, () => host!);

  session.defaultSession.setPermissionRequestHandler((_wc, permission, callback) => {
    // The camera is for the live page, which asks for 'media'; everything else is refused.
    callback(permission === 'media');
  });

  ipcMain.handle('studio:call', async (event, method: unknown, params: unknown) => {
    if (!isTrustedSender(event)) return { ok: false, error: { code: 'UNAUTHORIZED', message: 'Request from an untrusted page refused.' } };
    return host!.dispatch(method, params);
  });

  mainWindow = createWindow();
  mainWindow.on('closed', () => (mainWindow = null));
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) mainWindow = createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

let quitting = false;
app.on('before-quit', (e) => {
  if (quitting || !host) return;
  e.preventDefault();
  quitting = true;
  void host.close().finally(() => app.quit());
});

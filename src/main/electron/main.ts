import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  app,
  BrowserWindow,
  crashReporter,
  dialog,
  ipcMain,
  Menu,
  screen,
  session,
  shell,
  type IpcMainInvokeEvent,
  type MenuItemConstructorOptions,
  type WebContents,
} from 'electron';
import type { GpuInfo } from '@shared/api/contract';
import { hrefOf } from '@shared/routes';
import { StudioHost } from '../host/studio-host';
import { APP_VERSION } from '../host/version';
import { AppConfigStore } from '../services/library/app-config';
import type { EngineHost } from '../../../native/engine/host/engine-host';
import { createNodeEngineHost } from '../../../native/engine/host/node-engine-host';
import { pickEngineHost } from '../../../native/engine/host/pick-engine-host';
import { aboutPanel } from './about';
import { CrashLog, describeError } from './crash-log';
import { DEEP_LINK_SCHEME, findDeepLink, parseDeepLink, type DeepLink } from './deep-link';
import { createElectronEngineHost, openEngineWindow } from './engine-window';
import { droppedFootagePath, projectIdOfUrl, projectNameForFile } from './footage-drop';
import { buildMenuTemplate, type MenuCommand, type MenuSpec } from './menu-template';
import { RecentProjects } from './recent-projects';
import { APP_PAGE_URL, isAppPageUrl, isNavigationAllowed, isTrustedIpcSender, permissionDecision, windowOpenDecision } from './security-policy';
import { handleStudioProtocol, registerStudioScheme } from './studio-protocol';
import { utilityProcessLauncher } from './utility-launcher';
import { debounce, fitToDisplays, WindowStateStore } from './window-state';

/**
 * Electron front door. Decisions live in plain modules beside this file (security-policy, window-state,
 * recent-projects, deep-link, menu-template, crash-log, footage-drop, about — all unit-tested); business logic lives
 * in the services host. This file only wires them to Electron.
 */
const here = (rel: string) => fileURLToPath(new URL(rel, import.meta.url));
const RENDERER_DIR = here('../renderer');
const PRELOAD = here('../preload/index.cjs');
const ENGINE_PRELOAD = here('../preload/engine.cjs');
const APP_NAME = 'Avatar Studio';

// ---- before ready -------------------------------------------------------------------------------------------
if (process.env.AVATAR_STUDIO_USER_DATA) app.setPath('userData', path.resolve(process.env.AVATAR_STUDIO_USER_DATA));
app.setName(APP_NAME);
registerStudioScheme();
// Chromium's WebGPU is off by default on Linux (electron/electron#41763); the engine window needs it.
if (process.platform === 'linux') {
  app.commandLine.appendSwitch('enable-unsafe-webgpu');
  app.commandLine.appendSwitch('enable-features', 'Vulkan');
}

// Packaged app: models are extra resources, ffmpeg/ffprobe are unpacked from the asar (electron-builder.yml).
// Set before any job worker starts (utility processes inherit the environment).
if (app.isPackaged) {
  const resources = process.resourcesPath;
  process.env.AVATAR_STUDIO_MODELS_DIR ??= path.join(resources, 'models');
  const exe = process.platform === 'win32' ? '.exe' : '';
  const unpacked = (scope: string, bin: string) => path.join(resources, 'app.asar.unpacked', 'node_modules', scope, `${process.platform}-${process.arch}`, `${bin}${exe}`);
  const ffmpeg = unpacked('@ffmpeg-installer', 'ffmpeg');
  const ffprobe = unpacked('@ffprobe-installer', 'ffprobe');
  if (!process.env.AVATAR_STUDIO_FFMPEG && fs.existsSync(ffmpeg)) process.env.AVATAR_STUDIO_FFMPEG = ffmpeg;
  if (!process.env.AVATAR_STUDIO_FFPROBE && fs.existsSync(ffprobe)) process.env.AVATAR_STUDIO_FFPROBE = ffprobe;
}

const crashLog = new CrashLog(path.join(app.getPath('userData'), 'logs', 'crash.log'), {
  versions: { app: APP_VERSION, electron: process.versions.electron ?? '', chrome: process.versions.chrome ?? '', os: `${process.platform}-${process.arch}` },
});
// Minidumps stay on this machine (crashDumps folder); nothing is uploaded.
crashReporter.start({ uploadToServer: false });
process.on('uncaughtException', (e) => {
  const d = describeError(e);
  crashLog.record('uncaught-exception', d.message, { stack: d.stack });
  dialog.showErrorBox(`${APP_NAME} hit an internal error`, `${d.message}\n\nDetails were written to ${crashLog.file}.`);
});
process.on('unhandledRejection', (e) => {
  const d = describeError(e);
  crashLog.record('unhandled-rejection', d.message, { stack: d.stack });
});

if (!app.requestSingleInstanceLock()) {
  // The first instance gets our argv (with any deep link) in its 'second-instance' event.
  app.quit();
} else {
  start();
}

function start(): void {
  let host: StudioHost | null = null;
  let mainWindow: BrowserWindow | null = null;
  let pendingLink: DeepLink | null = findDeepLink(process.argv);
  const studioWindows = new Set<number>();
  const windowState = new WindowStateStore(path.join(app.getPath('userData'), 'window-state.json'));
  const recent = new RecentProjects(path.join(app.getPath('userData'), 'recent-projects.json'));
  let gpu: GpuInfo | null = null;

  // Deep links: registered for this executable (in development, for electron + this script).
  if (process.defaultApp && process.argv[1]) app.setAsDefaultProtocolClient(DEEP_LINK_SCHEME, process.execPath, [path.resolve(process.argv[1])]);
  else app.setAsDefaultProtocolClient(DEEP_LINK_SCHEME);
  app.on('open-url', (event, url) => {
    event.preventDefault();
    const link = parseDeepLink(url);
    if (link) openLink(link);
  });
  app.on('second-instance', (_e, argv) => {
    const link = findDeepLink(argv);
    if (link) openLink(link);
    else focusMain();
  });

  // ---- security, app-wide -----------------------------------------------------------------------------------
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-attach-webview', (e) => e.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      if (windowOpenDecision(url).openExternally) void shell.openExternal(url);
      return { action: 'deny' };
    });
    contents.on('will-navigate', (e, url) => {
      if (isNavigationAllowed(url)) return;
      e.preventDefault();
      const footage = droppedFootagePath(url);
      if (footage && studioWindows.has(contents.id)) void importDropped(contents, footage);
    });
    contents.on('will-redirect', (e, url) => {
      if (!isNavigationAllowed(url)) e.preventDefault();
    });
    contents.on('preload-error', (_ev, preloadPath, error) => crashLog.record('preload-error', `${preloadPath}: ${error.message}`));
  });
  app.on('render-process-gone', (_e, contents, details) => {
    crashLog.record('render-process-gone', `renderer ${details.reason}`, { exitCode: details.exitCode, url: contents.getURL() });
  });
  app.on('child-process-gone', (_e, details) => {
    if (details.reason === 'clean-exit') return;
    crashLog.record('child-process-gone', `${details.type} process ${details.reason}`, { ...details });
  });

  function isStudioContents(wc: WebContents | null | undefined): boolean {
    return !!wc && studioWindows.has(wc.id);
  }

  function isTrusted(event: IpcMainInvokeEvent): boolean {
    const frame = event.senderFrame;
    return isTrustedIpcSender({ frameUrl: frame?.url, isMainFrame: !!frame && frame === event.sender.mainFrame, isStudioWindow: isStudioContents(event.sender) });
  }

  // ---- engine host -----------------------------------------------------------------------------------------
  function makeEngineHost(): EngineHost {
    const choice = pickEngineHost('electron', process.env);
    // 'node' here is only for the dawn.node readback spike on a development build: forking the Electron binary
    // as Node needs the runAsNode fuse, which release builds turn off.
    const engine = choice === 'chromium' ? createElectronEngineHost(ENGINE_PRELOAD) : createNodeEngineHost();
    engine.on('device-lost', ({ reason, message }) => {
      gpu = null;
      crashLog.record('engine-device-lost', message, { reason, host: engine.kind });
    });
    engine.on('exit', ({ reason }) => {
      gpu = null;
      crashLog.record('engine-exit', reason, { host: engine.kind });
    });
    return engine;
  }

  async function refreshGpu(): Promise<GpuInfo | null> {
    if (!host) return null;
    gpu = await host.gpuInfo();
    app.setAboutPanelOptions(aboutOptions());
    return gpu;
  }

  function aboutOptions() {
    const info = host?.appInfo();
    return aboutPanel({
      appName: APP_NAME,
      version: APP_VERSION,
      versions: { ...process.versions, sqlite: info?.versions.sqlite },
      gpu: gpu ? { adapter: gpu.adapter, host: gpu.host ?? 'none', error: gpu.error } : null,
    });
  }

  // ---- windows ---------------------------------------------------------------------------------------------
  function createWindow(route = ''): BrowserWindow {
    const saved = windowState.load();
    const primary = screen.getPrimaryDisplay();
    const areas = [primary, ...screen.getAllDisplays().filter((d) => d.id !== primary.id)].map((d) => d.workArea);
    const bounds = fitToDisplays(saved, areas);
    const win = new BrowserWindow({
      ...bounds,
      minWidth: 960,
      minHeight: 600,
      title: APP_NAME,
      backgroundColor: '#16171a',
      show: false,
      webPreferences: { preload: PRELOAD, contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, spellcheck: false },
    });
    studioWindows.add(win.webContents.id);
    const id = win.webContents.id;
    win.on('closed', () => {
      studioWindows.delete(id);
      // The hidden engine window does not count: closing the last studio window quits (except on macOS).
      if (studioWindows.size === 0 && process.platform !== 'darwin') app.quit();
    });
    if (saved.maximized) win.maximize();
    if (saved.fullScreen) win.setFullScreen(true);
    win.once('ready-to-show', () => win.show());

    const save = debounce(() => {
      if (win.isDestroyed()) return;
      windowState.save({ bounds: win.getNormalBounds(), maximized: win.isMaximized(), fullScreen: win.isFullScreen() });
    }, 400);
    for (const ev of ['resize', 'move', 'maximize', 'unmaximize', 'enter-full-screen', 'leave-full-screen'] as const) win.on(ev as 'resize', save);
    win.on('close', () => save.flush());

    const onUrl = (url: string) => {
      noteRecent(url);
      rebuildMenu();
    };
    win.webContents.on('did-navigate-in-page', (_e, url) => onUrl(url));
    win.webContents.on('did-navigate', (_e, url) => onUrl(url));
    void win.loadURL(`${APP_PAGE_URL}${route}`);
    return win;
  }

  function focusMain(): BrowserWindow {
    if (!mainWindow || mainWindow.isDestroyed()) mainWindow = createWindow();
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
    return mainWindow;
  }

  /** Shows a hash route of the studio page (same-document navigation; the renderer follows `hashchange`). */
  function showRoute(route: string): void {
    if (!/^#\/[a-z0-9/]*$/.test(route)) return;
    const win = focusMain();
    if (isAppPageUrl(win.webContents.getURL())) void win.webContents.executeJavaScript(`location.hash = ${JSON.stringify(route)}`);
    else void win.loadURL(`${APP_PAGE_URL}${route}`);
  }

  function openLink(link: DeepLink): void {
    if (!host) {
      pendingLink = link;
      return;
    }
    try {
      host.services.projects.get(link.projectId);
    } catch {
      focusMain();
      void dialog.showMessageBox({ type: 'warning', message: 'Project not found', detail: `This link points to a project that is not in the library at ${host.services.library.dir}.` });
      return;
    }
    showRoute(link.route);
  }

  // ---- recent projects and menu ----------------------------------------------------------------------------
  function noteRecent(url: string): void {
    const id = projectIdOfUrl(url);
    if (!host || !id) return;
    try {
      const p = host.services.projects.get(id);
      recent.touch({ id, name: p.name, library: host.services.library.dir });
    } catch {
      // not in this library (stale link): nothing to remember
    }
  }

  function pruneRecent(): void {
    if (!host) return;
    const live = new Set(host.services.projects.list({ trashed: false }).map((p) => p.id));
    recent.prune(host.services.library.dir, live);
    for (const p of host.services.projects.list({ trashed: false })) recent.rename(host.services.library.dir, p.id, p.name);
  }

  function currentProjectId(): string | null {
    const win = mainWindow && !mainWindow.isDestroyed() ? mainWindow : null;
    return win ? projectIdOfUrl(win.webContents.getURL()) : null;
  }

  function rebuildMenu(): void {
    if (!host) return;
    const spec = buildMenuTemplate({
      platform: process.platform,
      appName: APP_NAME,
      recent: recent.list(host.services.library.dir),
      projectOpen: currentProjectId() !== null,
      readOnly: host.services.library.readOnly,
      isDev: !app.isPackaged,
    });
    Menu.setApplicationMenu(Menu.buildFromTemplate(spec.map(toElectron)));
  }

  function toElectron(item: MenuSpec): MenuItemConstructorOptions {
    const out: MenuItemConstructorOptions = {};
    if (item.label !== undefined) out.label = item.label;
    if (item.role) out.role = item.role;
    if (item.type) out.type = item.type;
    if (item.accelerator) out.accelerator = item.accelerator;
    if (item.enabled !== undefined) out.enabled = item.enabled;
    if (item.submenu) out.submenu = item.submenu.map(toElectron);
    const command = item.command;
    if (command) out.click = () => void runCommand(command);
    return out;
  }

  async function call<T>(method: string, params: unknown): Promise<T> {
    const outcome = await host!.dispatch(method, params);
    if (!outcome.ok) throw new Error(outcome.error.message);
    return outcome.result as T;
  }

  async function importFiles(projectId: string, files: string[]): Promise<void> {
    await call('captures.import', { projectId, sources: files.map((p) => ({ path: p })) });
    showRoute(hrefOf({ name: 'project', id: projectId, section: 'footage' }));
  }

  async function importDropped(contents: WebContents, file: string): Promise<void> {
    try {
      let projectId = projectIdOfUrl(contents.getURL());
      if (!projectId) projectId = (await call<{ id: string }>('projects.create', { name: projectNameForFile(file) })).id;
      await importFiles(projectId, [file]);
    } catch (e) {
      dialog.showErrorBox('Could not import the dropped file', (e as Error).message);
    }
  }

  async function runCommand(command: MenuCommand): Promise<void> {
    if (!host) return;
    const win = focusMain();
    try {
      if (command.startsWith('open-recent:')) return showRoute(hrefOf({ name: 'project', id: command.slice('open-recent:'.length) }));
      switch (command) {
        case 'new-project': {
          const p = await call<{ id: string }>('projects.create', { name: 'Untitled project' });
          return showRoute(hrefOf({ name: 'project', id: p.id }));
        }
        case 'import-footage': {
          const projectId = currentProjectId();
          if (!projectId) return;
          const r = await dialog.showOpenDialog(win, {
            title: 'Import footage',
            properties: ['openFile', 'multiSelections'],
            filters: [
              { name: 'Videos and photos', extensions: ['mp4', 'm4v', 'mov', 'mkv', 'webm', 'avi', 'mts', 'm2ts', 'mxf', 'jpg', 'jpeg', 'png'] },
              { name: 'All files', extensions: ['*'] },
            ],
          });
          if (!r.canceled && r.filePaths.length) await importFiles(projectId, r.filePaths);
          return;
        }
        case 'open-library': {
          const r = await dialog.showOpenDialog(win, { title: 'Open or create a library', properties: ['openDirectory', 'createDirectory'] });
          if (!r.canceled && r.filePaths[0]) {
            await call('library.open', { path: r.filePaths[0], create: true });
            showRoute(hrefOf({ name: 'library' }));
            rebuildMenu();
          }
          return;
        }
        case 'show-library-folder':
          void shell.openPath(host.services.library.dir);
          return;
        case 'go-library':
          return showRoute(hrefOf({ name: 'library' }));
        case 'go-trash':
          return showRoute(hrefOf({ name: 'trash' }));
        case 'clear-recent':
          recent.clear(host.services.library.dir);
          return rebuildMenu();
        case 'show-crash-log':
          if (fs.existsSync(crashLog.file)) shell.showItemInFolder(crashLog.file);
          else {
            fs.mkdirSync(path.dirname(crashLog.file), { recursive: true });
            void shell.openPath(path.dirname(crashLog.file));
          }
          return;
        case 'show-about': {
          await Promise.race([refreshGpu(), new Promise((r) => setTimeout(r, 15_000))]);
          if (process.platform === 'win32') {
            const about = aboutOptions();
            await dialog.showMessageBox(win, { type: 'info', title: `About ${APP_NAME}`, message: APP_NAME, detail: about.detail });
          } else {
            app.showAboutPanel();
          }
          return;
        }
      }
    } catch (e) {
      dialog.showErrorBox(APP_NAME, (e as Error).message);
    }
  }

  // ---- ready ---------------------------------------------------------------------------------------------
  app.whenReady().then(() => {
    const appConfig = new AppConfigStore();
    host = StudioHost.open({
      libraryDir: appConfig.resolveLibraryDir(app.commandLine.getSwitchValue('library') || undefined),
      frontDoor: 'electron',
      appConfig,
      launcher: utilityProcessLauncher(here('./job-worker.js')),
      versions: { electron: process.versions.electron ?? '', chrome: process.versions.chrome ?? '' },
      engineHost: makeEngineHost,
      // Every GPU job's sessions run where the viewport's engine does: in Electron, a hidden engine window per job on
      // Chromium's WebGPU (dawn.node's readback is refused by Electron's memory cage in the utility processes).
      jobGpu: pickEngineHost('electron', process.env) === 'chromium' ? { placement: 'chromium', openEnginePage: () => openEngineWindow(ENGINE_PRELOAD) } : { placement: 'node' },
    });
    host.on('event', (event, payload) => {
      for (const w of BrowserWindow.getAllWindows()) if (isStudioContents(w.webContents)) w.webContents.send('studio:event', event, payload);
      if (event === 'projects.changed' || event === 'library.changed') {
        pruneRecent();
        rebuildMenu();
      }
    });
    handleStudioProtocol(RENDERER_DIR, () => host!);
    app.setAboutPanelOptions(aboutOptions());

    // Permissions: the camera for the live page only; everything else refused (security-policy.ts).
    session.defaultSession.setPermissionRequestHandler((wc, permission, callback, details) => {
      const mediaTypes = 'mediaTypes' in details ? details.mediaTypes : undefined;
      callback(isStudioContents(wc) && permissionDecision({ permission, requestingUrl: details.requestingUrl, isMainFrame: details.isMainFrame, mediaTypes }));
    });
    session.defaultSession.setPermissionCheckHandler((wc, permission, requestingOrigin, details) => {
      return isStudioContents(wc) && permissionDecision({ permission, requestingUrl: details.requestingUrl ?? requestingOrigin, isMainFrame: details.isMainFrame, mediaType: details.mediaType });
    });
    session.defaultSession.setDevicePermissionHandler(() => false);

    ipcMain.handle('studio:call', async (event, method: unknown, params: unknown) => {
      if (!isTrusted(event)) return { ok: false, error: { code: 'UNAUTHORIZED', message: 'Request from an untrusted page refused.' } };
      const outcome = await host!.dispatch(method, params);
      if (method === 'app.gpu' && outcome.ok) {
        gpu = outcome.result as GpuInfo;
        app.setAboutPanelOptions(aboutOptions());
      }
      return outcome;
    });

    pruneRecent();
    rebuildMenu();
    const link = pendingLink;
    pendingLink = null;
    mainWindow = createWindow(link && host.services.projects.list({ trashed: false }).some((p) => p.id === link.projectId) ? link.route : '');
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().every((w) => !isStudioContents(w.webContents))) mainWindow = createWindow();
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
}

/**
 * The native menu as data: labels, accelerators, roles and command ids, per platform. main.ts turns it into an
 * Electron `Menu` and maps each `command` to an action; this module has no `electron` import so its shape is tested.
 */
export type MenuCommand =
  | 'new-project'
  | 'import-footage'
  | 'open-library'
  | 'show-library-folder'
  | 'go-library'
  | 'go-trash'
  | 'clear-recent'
  | 'show-about'
  | 'show-crash-log'
  | `open-recent:${string}`;

/** Electron menu roles used here (a subset of MenuItemConstructorOptions['role']). */
export type MenuRole =
  | 'about'
  | 'services'
  | 'hide'
  | 'hideOthers'
  | 'unhide'
  | 'quit'
  | 'close'
  | 'undo'
  | 'redo'
  | 'cut'
  | 'copy'
  | 'paste'
  | 'pasteAndMatchStyle'
  | 'delete'
  | 'selectAll'
  | 'reload'
  | 'forceReload'
  | 'toggleDevTools'
  | 'resetZoom'
  | 'zoomIn'
  | 'zoomOut'
  | 'togglefullscreen'
  | 'minimize'
  | 'zoom'
  | 'front'
  | 'window'
  | 'appMenu'
  | 'fileMenu'
  | 'editMenu'
  | 'viewMenu'
  | 'windowMenu'
  | 'help';

export interface MenuSpec {
  label?: string;
  role?: MenuRole;
  type?: 'separator' | 'submenu' | 'normal';
  accelerator?: string;
  command?: MenuCommand;
  enabled?: boolean;
  submenu?: MenuSpec[];
}

export interface MenuContext {
  platform: NodeJS.Platform;
  appName: string;
  /** Newest first. */
  recent: readonly { id: string; name: string }[];
  /** A project is showing (Import Footage needs one) and it can take footage. */
  projectOpen: boolean;
  readOnly: boolean;
  /** Development build: reload and developer tools in the View menu. */
  isDev: boolean;
}

const sep: MenuSpec = { type: 'separator' };

export function buildMenuTemplate(ctx: MenuContext): MenuSpec[] {
  const mac = ctx.platform === 'darwin';
  const recentItems: MenuSpec[] = ctx.recent.length
    ? [...ctx.recent.map((r, i) => ({ label: r.name.replace(/&/g, '&&'), command: `open-recent:${r.id}` as const, accelerator: i < 9 ? `CmdOrCtrl+Alt+${i + 1}` : undefined })), sep, { label: 'Clear Recent', command: 'clear-recent' }]
    : [{ label: 'No Recent Projects', enabled: false }];

  const file: MenuSpec = {
    label: '&File',
    submenu: [
      { label: 'New Project', accelerator: 'CmdOrCtrl+N', command: 'new-project', enabled: !ctx.readOnly },
      { label: 'Open Recent', type: 'submenu', submenu: recentItems },
      sep,
      { label: 'Import Footage…', accelerator: 'CmdOrCtrl+I', command: 'import-footage', enabled: ctx.projectOpen && !ctx.readOnly },
      sep,
      { label: 'Open Library…', accelerator: 'CmdOrCtrl+Shift+O', command: 'open-library' },
      { label: mac ? 'Show Library in Finder' : 'Show Library Folder', command: 'show-library-folder' },
      sep,
      mac ? { role: 'close' } : { role: 'quit', label: 'E&xit', accelerator: 'Ctrl+Q' },
    ],
  };
  const edit: MenuSpec = {
    label: '&Edit',
    submenu: [
      { role: 'undo' },
      { role: 'redo' },
      sep,
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      ...(mac ? [{ role: 'pasteAndMatchStyle' } as MenuSpec] : []),
      { role: 'delete' },
      { role: 'selectAll' },
    ],
  };
  const view: MenuSpec = {
    label: '&View',
    submenu: [
      { label: 'Library', accelerator: 'CmdOrCtrl+1', command: 'go-library' },
      { label: 'Trash', accelerator: 'CmdOrCtrl+2', command: 'go-trash' },
      sep,
      ...(ctx.isDev ? [{ role: 'reload' } as MenuSpec, { role: 'forceReload' } as MenuSpec, { role: 'toggleDevTools' } as MenuSpec, sep] : []),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      sep,
      { role: 'togglefullscreen' },
    ],
  };
  const windowMenu: MenuSpec = {
    label: '&Window',
    submenu: mac ? [{ role: 'minimize' }, { role: 'zoom' }, sep, { role: 'front' }] : [{ role: 'minimize' }, { role: 'close' }],
  };
  const help: MenuSpec = {
    label: '&Help',
    role: 'help',
    submenu: [
      { label: 'Show Crash Log', command: 'show-crash-log' },
      ...(mac ? [] : [sep, { label: `About ${ctx.appName}`, command: 'show-about' } as MenuSpec]),
    ],
  };
  const appMenu: MenuSpec = {
    label: ctx.appName,
    submenu: [
      { label: `About ${ctx.appName}`, command: 'show-about' },
      sep,
      { role: 'services' },
      sep,
      { role: 'hide' },
      { role: 'hideOthers' },
      { role: 'unhide' },
      sep,
      { role: 'quit' },
    ],
  };
  return mac ? [appMenu, file, edit, view, windowMenu, help] : [file, edit, view, windowMenu, help];
}

/** Every accelerator in a template, for duplicate checks. */
export function acceleratorsOf(items: readonly MenuSpec[]): string[] {
  return items.flatMap((i) => [...(i.accelerator ? [i.accelerator] : []), ...acceleratorsOf(i.submenu ?? [])]);
}

/** Every command in a template. */
export function commandsOf(items: readonly MenuSpec[]): MenuCommand[] {
  return items.flatMap((i) => [...(i.command ? [i.command] : []), ...commandsOf(i.submenu ?? [])]);
}

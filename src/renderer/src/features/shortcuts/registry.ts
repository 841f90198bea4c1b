/**
 * Every keyboard shortcut of the shell, in one place: the help overlay lists these, and components bind them with
 * useShortcut(id, …), so what the help says is what the keys do. `Mod` is ⌘ on macOS and Ctrl elsewhere.
 */
export interface ShortcutDef {
  keys: string[];
  label: string;
  group: 'General' | 'Library' | 'Project';
  /** Also fires while typing in a text field. */
  inInputs?: boolean;
  /** Fires again while the key is held down. */
  repeat?: boolean;
  /** Only listed in the help overlay; handled by the focused element itself. */
  docOnly?: boolean;
}

export const SHORTCUTS = {
  help: { keys: ['?'], label: 'Show keyboard shortcuts', group: 'General' },
  settings: { keys: ['Mod+,'], label: 'Open settings and library info', group: 'General' },
  jobs: { keys: ['J'], label: 'Show or hide the Jobs panel', group: 'General' },
  goLibrary: { keys: ['L'], label: 'Go to the library', group: 'General' },
  goTrash: { keys: ['T'], label: 'Go to the Trash', group: 'General' },
  undo: { keys: ['Mod+Z'], label: 'Undo the last move to Trash or rename', group: 'General' },

  newProject: { keys: ['N', 'Mod+N'], label: 'New project', group: 'Library' },
  search: { keys: ['/', 'Mod+F'], label: 'Search projects', group: 'Library', inInputs: true },
  moveSelection: { keys: ['←', '→', '↑', '↓'], label: 'Move the selection', group: 'Library', docOnly: true },
  openSelected: { keys: ['Enter'], label: 'Open the selected project', group: 'Library', docOnly: true },
  renameSelected: { keys: ['F2'], label: 'Rename the selected project (or double-click its name)', group: 'Library' },
  trashSelected: { keys: ['Delete', 'Mod+Backspace'], label: 'Move the selected project to the Trash', group: 'Library' },
  duplicateSelected: { keys: ['Mod+D'], label: 'Duplicate the selected project', group: 'Library' },
  commitRename: { keys: ['Enter'], label: 'While renaming: keep the new name', group: 'Library', docOnly: true },
  cancelRename: { keys: ['Escape'], label: 'While renaming: cancel; in search: clear', group: 'Library', docOnly: true },

  back: { keys: ['Escape', 'Backspace'], label: 'Back to the library', group: 'Project' },
  renameProject: { keys: ['F2'], label: 'Rename the project', group: 'Project' },
} satisfies Record<string, ShortcutDef>;

export type ShortcutId = keyof typeof SHORTCUTS;

export const SHORTCUT_GROUPS: ShortcutDef['group'][] = ['General', 'Library', 'Project'];

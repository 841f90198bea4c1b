/**
 * Every keyboard shortcut of the shell, in one place: the help overlay lists these, and components bind them with
 * useShortcut(id, …), so what the help says is what the keys do. `Mod` is ⌘ on macOS and Ctrl elsewhere.
 */
export interface ShortcutDef {
  keys: string[];
  label: string;
  group: 'General' | 'Library' | 'Project' | 'Footage' | 'Tracking' | 'Training' | 'Texture';
  /** Also fires while typing in a text field. */
  inInputs?: boolean;
  /** Fires again while the key is held down. */
  repeat?: boolean;
  /** Only listed in the help overlay; handled by the focused element itself. */
  docOnly?: boolean;
}

export const SHORTCUTS = {
  // Single letters J, K, L, I, O belong to the timeline (pro video conventions); global ones use Shift.
  help: { keys: ['?'], label: 'Show keyboard shortcuts', group: 'General' },
  settings: { keys: ['Mod+,'], label: 'Open settings and library info', group: 'General' },
  jobs: { keys: ['Shift+J'], label: 'Show or hide the Jobs panel', group: 'General' },
  goLibrary: { keys: ['Shift+L'], label: 'Go to the library', group: 'General' },
  goTrash: { keys: ['Shift+T'], label: 'Go to the Trash', group: 'General' },
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
  exportAvatar: { keys: ['Mod+E'], label: 'Export the avatar (viewport; avatars table: the selected or newest)', group: 'Project' },

  // Footage review (src/renderer/src/features/capture/useFootageKeys.ts handles these while the timeline is shown).
  footagePlay: { keys: ['Space'], label: 'Play or pause at the capture’s frame rate', group: 'Footage', docOnly: true },
  footageStep: { keys: ['←', '→'], label: 'Previous or next frame', group: 'Footage', docOnly: true, repeat: true },
  footageStep10: { keys: ['Shift+←', 'Shift+→'], label: '10 frames back or forward', group: 'Footage', docOnly: true, repeat: true },
  footageReverse: { keys: ['J'], label: 'Play backwards (again: faster)', group: 'Footage', docOnly: true },
  footagePause: { keys: ['K'], label: 'Pause', group: 'Footage', docOnly: true },
  footageForward: { keys: ['L'], label: 'Play forwards (again: faster)', group: 'Footage', docOnly: true },
  footageEnds: { keys: ['Home', 'End'], label: 'First or last frame', group: 'Footage', docOnly: true },
  footageInOut: { keys: ['I', 'O'], label: 'Start (I) or end (O) the selection at the playhead', group: 'Footage', docOnly: true },
  footageSelectAll: { keys: ['Mod+A'], label: 'Select all frames', group: 'Footage', docOnly: true },
  footageClearSelection: { keys: ['Escape'], label: 'Clear the selection', group: 'Footage', docOnly: true },
  footageExclude: { keys: ['X'], label: 'Exclude the selected frames (or the current frame)', group: 'Footage', docOnly: true },
  footageTest: { keys: ['T'], label: 'Mark the selected frames as test', group: 'Footage', docOnly: true },
  footageTrain: { keys: ['R'], label: 'Mark the selected frames as train', group: 'Footage', docOnly: true },
  footageBlurry: { keys: ['Shift+B'], label: 'Exclude blurry frames', group: 'Footage', docOnly: true },
  footageUndo: { keys: ['Mod+Z'], label: 'Undo a split edit', group: 'Footage', docOnly: true },
  footageRedo: { keys: ['Mod+Shift+Z', 'Mod+Y'], label: 'Redo a split edit', group: 'Footage', docOnly: true },
  footageZoomIn: { keys: ['+', '='], label: 'Zoom the timeline in (or Ctrl+wheel)', group: 'Footage', docOnly: true, repeat: true },
  footageZoomOut: { keys: ['-'], label: 'Zoom the timeline out', group: 'Footage', docOnly: true, repeat: true },
  footageFit: { keys: ['0'], label: 'Fit the whole capture', group: 'Footage', docOnly: true },
  footagePreviewZoom: { keys: ['+', '-', '0'], label: 'With the pointer over the frame preview: zoom it in, out or to the fit (the wheel zooms at the pointer, a drag pans)', group: 'Footage', docOnly: true },
  footageImport: { keys: ['Mod+I'], label: 'Import footage', group: 'Footage', docOnly: true },

  // Tracking, in the Footage review (src/renderer/src/features/tracking/useTrackingKeys.ts).
  trackFaces: { keys: ['Shift+F'], label: 'Track faces in the capture (or track again)', group: 'Tracking', docOnly: true },
  trackingMesh: { keys: ['M'], label: 'Show or hide the tracked mesh over the preview', group: 'Tracking', docOnly: true },
  trackingLandmarks: { keys: ['P'], label: 'Show or hide the 478 landmark points over the preview', group: 'Tracking', docOnly: true },
  trackingExclude: { keys: ['Shift+X'], label: 'Exclude badly tracked frames (no face, or fit error over the limit)', group: 'Tracking', docOnly: true },

  // Avatar training (src/renderer/src/features/training/).
  trainingStart: { keys: ['Mod+Enter'], label: 'Start training with the chosen preset and settings', group: 'Training', inInputs: true },
  trainingPause: { keys: ['Shift+P'], label: 'Pause the running training, or resume the paused one', group: 'Training' },
  trainingReportFrames: { keys: ['↑', '↓'], label: 'In a report: previous or next evaluated frame', group: 'Training', docOnly: true },
  trainingReportClose: { keys: ['Escape'], label: 'Close the report', group: 'Training', docOnly: true },
  trainingReportEnlarge: { keys: ['Enter'], label: 'On a report image: see it large (← / → frames, 1 / 2 / 3 ground truth, render, error; Esc closes)', group: 'Training', docOnly: true },

  // Texture editor (src/renderer/src/features/texture/useTextureKeys.ts handles these while the editor is shown).
  textureBrush: { keys: ['B'], label: 'Brush', group: 'Texture', docOnly: true },
  textureEraser: { keys: ['E'], label: 'Eraser (on a paint layer)', group: 'Texture', docOnly: true },
  textureFill: { keys: ['G'], label: 'Fill (flood fill within the tolerance)', group: 'Texture', docOnly: true },
  texturePicker: { keys: ['I'], label: 'Colour picker', group: 'Texture', docOnly: true },
  textureSticker: { keys: ['V'], label: 'Move, scale and rotate stickers', group: 'Texture', docOnly: true },
  textureBrushSize: { keys: ['[', ']'], label: 'Smaller or bigger brush', group: 'Texture', docOnly: true, repeat: true },
  texturePan: { keys: ['Space'], label: 'Hold and drag to pan (or drag with the middle button; wheel zooms)', group: 'Texture', docOnly: true },
  textureUndo: { keys: ['Mod+Z'], label: 'Undo a texture edit', group: 'Texture', docOnly: true },
  textureRedo: { keys: ['Mod+Shift+Z', 'Mod+Y'], label: 'Redo a texture edit', group: 'Texture', docOnly: true },
  textureFit: { keys: ['0'], label: 'Fit the map in the view', group: 'Texture', docOnly: true },
  textureActual: { keys: ['1'], label: 'Zoom to 1:1 (one texel per pixel)', group: 'Texture', docOnly: true },
} satisfies Record<string, ShortcutDef>;

export type ShortcutId = keyof typeof SHORTCUTS;

export const SHORTCUT_GROUPS: ShortcutDef['group'][] = ['General', 'Library', 'Project', 'Footage', 'Tracking', 'Training', 'Texture'];

/**
 * The StudioApi method names as plain data, for the Electron preload, which must not load zod (a sandboxed preload
 * cannot require packages). contract.test.ts checks this list against the contract.
 */
export const METHOD_NAME_LIST = [
  'app.info',
  'app.gpu',
  'library.info',
  'library.open',
  'settings.get',
  'settings.update',
  'settings.checkFlame',
  'projects.list',
  'projects.get',
  'projects.create',
  'projects.rename',
  'projects.duplicate',
  'projects.trash',
  'projects.restore',
  'projects.emptyTrash',
  'captures.list',
  'captures.get',
  'captures.import',
  'captures.rename',
  'captures.delete',
  'captures.frames',
  'captures.setSplit',
  'captures.proposeSplit',
  'captures.excludeBlurry',
  'tracking.start',
  'tracking.summary',
  'tracking.frames',
  'tracking.overlay',
  'tracking.excludeBadlyTracked',
  'training.start',
  'training.report',
  'avatars.list',
  'avatars.get',
  'bake.start',
  'bake.report',
  'textures.load',
  'textures.save',
  'textures.importMap',
  'textures.importSticker',
  'textures.exportMap',
  'exports.create',
  'exports.repeat',
  'exports.list',
  'jobs.list',
  'jobs.get',
  'jobs.cancel',
  'jobs.resume',
  'jobs.pause',
  'jobs.dismiss',
] as const;

const known: ReadonlySet<string> = new Set(METHOD_NAME_LIST);

export function isKnownMethodName(name: unknown): boolean {
  return typeof name === 'string' && known.has(name);
}

import os from 'node:os';
import path from 'node:path';

export const APP_DIR_NAME = 'Avatar Studio';

/**
 * The folder Electron's app.getPath('userData') gives for this app on each OS, so the CLI, web mode and the
 * desktop app find the same library by default.
 */
export function userDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  const home = os.homedir();
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), APP_DIR_NAME);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', APP_DIR_NAME);
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), APP_DIR_NAME);
}

export function defaultLibraryDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(userDataDir(env), 'Library');
}

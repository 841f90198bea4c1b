// Where the `electron` package's install put the Electron binary, or null — read from its path.txt rather than
// `require('electron')`, which tries to download a missing binary on the spot (a hanging or failing fetch on a
// machine without network). Shared by `npm start` (scripts/start.mjs) and the Electron e2e specs.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** `{ executable, reason }`: the binary's path, or null and why there is none. */
export function findElectronBinary(from = import.meta.url) {
  try {
    const pkg = path.dirname(createRequire(from).resolve('electron/package.json'));
    const pathFile = path.join(pkg, 'path.txt');
    if (!fs.existsSync(pathFile)) return { executable: null, reason: `the electron package has no binary (${pathFile} is missing: its download was skipped or failed)` };
    const bin = path.join(process.env.ELECTRON_OVERRIDE_DIST_PATH ?? path.join(pkg, 'dist'), fs.readFileSync(pathFile, 'utf8').trim());
    return fs.existsSync(bin) ? { executable: bin, reason: '' } : { executable: null, reason: `${bin} does not exist` };
  } catch (e) {
    return { executable: null, reason: `the electron package is not installed (${e.message.split('\n')[0]})` };
  }
}

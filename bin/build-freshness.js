// Whether a development checkout's build (out/) is missing or older than its sources, and building it — shared by
// `npm start` (scripts/start.mjs) and the `avatar-studio` command's web mode (bin/avatar-studio.js), so both decide
// alike when a fresh or edited checkout must build before it serves the studio.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The newest modification time of any file under `dir` (ms). */
export function newestMtime(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** `root`: the checkout. True when out/main/cli.js or out/renderer/index.html is missing or older than src/. */
export function buildIsStale(root) {
  const cli = join(root, 'out/main/cli.js');
  if (!existsSync(cli) || !existsSync(join(root, 'out/renderer/index.html'))) return true;
  return existsSync(join(root, 'src')) && newestMtime(join(root, 'src')) > statSync(cli).mtimeMs;
}

/**
 * Runs `electron-vite build` in `root`; its output goes to `stdio` (default: stderr, as stdout may carry a command's
 * JSON). Returns null on success, else a sentence saying what to do.
 */
export function buildStudio(root, stdio = ['ignore', 2, 2]) {
  const electronVite = join(root, 'node_modules/electron-vite/bin/electron-vite.js');
  if (!existsSync(electronVite)) return 'the studio is not built and electron-vite is missing. Run `npm install`, then `npm run build`.';
  const r = spawnSync(process.execPath, [electronVite, 'build'], { cwd: root, stdio });
  return r.status === 0 ? null : 'the build failed (above). Fix it or run `npm run build` to see why, then start again.';
}

#!/usr/bin/env node
// `npm start`: builds the studio when the build is missing or older than the sources, then opens the desktop app
// when the Electron binary is installed, or web mode (printing the URL to open) when it is not.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { buildIsStale, buildStudio } from '../bin/build-freshness.js';

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const built = path.join(root, 'out/main/cli.js');
if (buildIsStale(root)) {
  console.error('Building Avatar Studio…');
  const failed = buildStudio(root, 'inherit');
  if (failed) {
    console.error(failed);
    process.exit(1);
  }
}

// The Electron binary, when its install-time download succeeded: read where `electron` put it rather than
// `require('electron')`, which tries to download a missing binary on the spot.
function electronBinary() {
  try {
    const pkg = path.dirname(require.resolve('electron/package.json'));
    const rel = fs.readFileSync(path.join(pkg, 'path.txt'), 'utf8').trim();
    const bin = path.join(process.env.ELECTRON_OVERRIDE_DIST_PATH ?? path.join(pkg, 'dist'), rel);
    return fs.existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

const desktop = args.includes('--web') ? null : electronBinary();
if (desktop) {
  const child = spawn(desktop, [root, ...args], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  if (!args.includes('--web')) {
    console.error('The Electron binary is not installed here, so the studio opens in web mode.');
    console.error('Open the URL below in a Chromium-based browser (WebGPU enabled). Ctrl+C stops it.\n');
  }
  const child = spawn(process.execPath, [built, 'serve', ...args.filter((a) => a !== '--web')], { stdio: 'inherit' });
  const forward = (sig) => child.kill(sig);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('exit', (code) => process.exit(code ?? 0));
}

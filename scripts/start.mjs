#!/usr/bin/env node
// `npm start`: builds the studio when the build is missing or older than the sources, then opens the desktop app
// when the Electron binary is installed, or web mode (printing the URL to open) when it is not.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildIsStale, buildStudio } from '../bin/build-freshness.js';
import { findElectronBinary } from '../bin/electron-binary.js';

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

const desktop = args.includes('--web') ? null : findElectronBinary().executable;
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

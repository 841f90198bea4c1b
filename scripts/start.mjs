#!/usr/bin/env node
// `npm start`: builds the studio when the build is missing or older than the sources, then opens the desktop app
// when the Electron binary is installed, or web mode (printing the URL to open) when it is not.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

const built = 'out/main/cli.js';
const stale = !fs.existsSync(built) || !fs.existsSync('out/renderer/index.html') || newestMtime('src') > fs.statSync(built).mtimeMs;
if (stale) {
  console.error('Building Avatar Studio…');
  const r = spawnSync('npx', ['electron-vite', 'build'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

let electronBinary = null;
try {
  const p = require('electron'); // the path of the binary, when its download succeeded
  if (typeof p === 'string' && fs.existsSync(p)) electronBinary = p;
} catch {
  electronBinary = null;
}

if (electronBinary && !args.includes('--web')) {
  const child = spawn(electronBinary, ['.', ...args], { stdio: 'inherit' });
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

#!/usr/bin/env node
// `npm run dist [-- --linux|--mac|--win …]`: build, package with electron-builder, then put better-sqlite3 back on
// Node's ABI (electron-builder rebuilt it in node_modules for Electron's; the tests and the CLI run on Node).
// Extra arguments go to electron-builder (default: the current platform's targets from electron-builder.yml).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const args = process.argv.slice(2);
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const run = (cmd, argv) => spawnSync(cmd, argv, { stdio: 'inherit' }).status ?? 1;

if (!existsSync('.cache/models') || !readdirSync('.cache/models').some((f) => f.endsWith('.onnx'))) {
  console.error('dist: no converted models in .cache/models — run `npm run models:build` first (the app ships them).');
  process.exit(1);
}
let status = run(npx, ['electron-vite', 'build']);
if (status === 0) status = run(npx, ['electron-builder', '--publish', 'never', ...args]);
console.log('dist: rebuilding better-sqlite3 for Node (tests, CLI)…');
const restored = run(npm, ['rebuild', 'better-sqlite3']);
if (restored !== 0) console.error('dist: `npm rebuild better-sqlite3` failed; run it before `npm test`.');
process.exit(status || restored);

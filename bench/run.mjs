#!/usr/bin/env node
// `npm run bench:<name>` → `node bench/run.mjs <name>`: runs bench/<name>/index.ts with tsx. Every benchmark
// prints one JSON object as its last line of stdout (progress and notes go to stderr).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const [name, ...args] = process.argv.slice(2);
const entry = fileURLToPath(new URL(`./${name ?? ''}/index.ts`, import.meta.url));
if (!name || !fs.existsSync(entry)) {
  const available = fs.readdirSync(new URL('.', import.meta.url), { withFileTypes: true }).filter((d) => d.isDirectory() && fs.existsSync(new URL(`./${d.name}/index.ts`, import.meta.url)));
  console.error(`usage: node bench/run.mjs <name> [args]; available: ${available.map((d) => d.name).join(', ')}`);
  process.exit(2);
}
const env = { ...process.env };
env.XDG_RUNTIME_DIR ??= '/tmp';
const r = spawnSync(process.execPath, ['--import', 'tsx', entry, ...args], { stdio: 'inherit', env });
process.exit(r.status ?? 1);

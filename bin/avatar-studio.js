#!/usr/bin/env node
// The `avatar-studio` command: runs the built CLI (npm run build), or the TypeScript sources through tsx when no
// build exists (development checkouts).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = fileURLToPath(new URL('../out/main/cli.js', import.meta.url));
if (existsSync(built)) {
  await import(built);
} else {
  const source = fileURLToPath(new URL('../src/main/cli/main.ts', import.meta.url));
  const r = spawnSync(process.execPath, ['--import', 'tsx', source, ...process.argv.slice(2)], { stdio: 'inherit' });
  if (r.error) {
    console.error('avatar-studio: the studio is not built. Run `npm run build` first.');
    process.exit(1);
  }
  process.exit(r.status ?? 1);
}
